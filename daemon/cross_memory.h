// Cross-memory attach: hald copies straight between a Unix-socket tenant's
// own memory and a buffer (process_vm_readv / process_vm_writev), one copy
// where shared memory takes two.
//
// The tenant is SO_PEERCRED's pid, pinned by a pidfd opened when the session
// starts: a pidfd refers to that process and no other, and polls readable
// once it has exited. process_vm_* take a pid, not a pidfd, so every transfer
// checks the pidfd before (a dead tenant is never written to) and after (bytes
// read from a process that died meanwhile are refused). What remains is the
// window between the check before and the system call: if the tenant exits
// in it, its parent reaps it and the pid is handed to a new process all in
// that window (the kernel hands pids out in rising order, so the pid space
// must wrap around first), the copy reaches that process, and only if hald
// may ptrace it. The kernel offers no pidfd form of process_vm_* to close it.
#ifndef HAL_DAEMON_CROSS_MEMORY_H_
#define HAL_DAEMON_CROSS_MEMORY_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/remote/protocol/unique_fd.h"

namespace hal::daemon {

class TenantMemory {
 public:
  // A pidfd of `pid`; Unavailable when pidfd_open fails (the process is gone,
  // or the kernel predates 5.3), and FailedPrecondition when
  // HAL_DAEMON_CROSS_MEMORY=off asks hald not to offer cross-memory attach.
  static absl::StatusOr<TenantMemory> Open(pid_t pid);

  pid_t pid() const { return pid_; }
  // false once the tenant has exited.
  bool Alive() const;

  // Reads `expected.size()` bytes at `address` and compares them: the tenant
  // proves hald may read its memory and that the pid is the tenant's.
  // PermissionDenied when it may not (EPERM), FailedPrecondition when the
  // bytes differ or the tenant died.
  absl::Status Probe(uint64_t address, absl::string_view expected) const;

  // `size` bytes from the tenant's `address` into `destination`, and from
  // `source` to the tenant's `address`. InvalidArgument for a range the
  // tenant has not mapped (EFAULT) or a short copy, PermissionDenied for
  // EPERM, FailedPrecondition when the tenant has exited (nothing written).
  absl::Status Read(uint64_t address, void* destination, uint64_t size) const;
  absl::Status Write(const void* source, uint64_t address, uint64_t size) const;

 private:
  TenantMemory(pid_t pid, remote::UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  absl::Status Transfer(bool write, uint64_t address, void* local, uint64_t size) const;

  pid_t pid_;
  remote::UniqueFd pidfd_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_CROSS_MEMORY_H_
