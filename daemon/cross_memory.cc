#include "daemon/cross_memory.h"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hal::daemon {
namespace {

// One system call moves at most this much, so a size never overflows
// ssize_t; the loop goes on from where a call stopped.
constexpr uint64_t kMaxBytesPerCall = uint64_t{1} << 30;

absl::Status ErrnoStatus(int error, absl::string_view what, uint64_t address, uint64_t size) {
  const std::string message = absl::StrCat(what, " of ", size, " bytes at tenant address 0x",
                                           absl::Hex(address), ": ", std::strerror(error));
  switch (error) {
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ESRCH:
      return absl::FailedPreconditionError(message);
    default:  // EFAULT (a range the tenant has not mapped), EINVAL, ENOMEM
      return absl::InvalidArgumentError(message);
  }
}

}  // namespace

absl::StatusOr<TenantMemory> TenantMemory::Open(pid_t pid) {
  if (const char* setting = std::getenv("HAL_DAEMON_CROSS_MEMORY");
      setting != nullptr && std::string(setting) == "off") {
    return absl::FailedPreconditionError("HAL_DAEMON_CROSS_MEMORY=off");
  }
  if (pid <= 0) return absl::UnavailableError("the peer has no pid");
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("pidfd_open(", pid, "): ", std::strerror(errno)));
  }
  TenantMemory memory(pid, remote::UniqueFd(fd));
  // SO_PEERCRED's pid is the process that connected; if it has exited (a
  // parent that forked the tenant and left, say) the pid may be another's.
  if (!memory.Alive()) return absl::UnavailableError(absl::StrCat("pid ", pid, " has exited"));
  return memory;
}

bool TenantMemory::Alive() const {
  pollfd entry{.fd = pidfd_.get(), .events = POLLIN, .revents = 0};
  const int ready = poll(&entry, 1, 0);
  return ready == 0;
}

absl::Status TenantMemory::Probe(uint64_t address, absl::string_view expected) const {
  std::string read(expected.size(), '\0');
  if (absl::Status status = Read(address, read.data(), read.size()); !status.ok()) return status;
  if (read != expected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the canary read at tenant address 0x", absl::Hex(address), " of pid ", pid_,
        " is not the one the tenant sent (another process holds the pid?)"));
  }
  return absl::OkStatus();
}

absl::Status TenantMemory::Read(uint64_t address, void* destination, uint64_t size) const {
  return Transfer(/*write=*/false, address, destination, size);
}

absl::Status TenantMemory::Write(const void* source, uint64_t address, uint64_t size) const {
  return Transfer(/*write=*/true, address, const_cast<void*>(source), size);
}

absl::Status TenantMemory::Transfer(bool write, uint64_t address, void* local,
                                    uint64_t size) const {
  const char* what = write ? "process_vm_writev" : "process_vm_readv";
  for (uint64_t done = 0; done < size;) {
    // Checked right before each call: a dead tenant's pid may be reused.
    if (!Alive()) return ErrnoStatus(ESRCH, what, address, size);
    const uint64_t chunk = std::min(kMaxBytesPerCall, size - done);
    iovec local_range{.iov_base = static_cast<uint8_t*>(local) + done, .iov_len = chunk};
    iovec remote_range{.iov_base = reinterpret_cast<void*>(address + done), .iov_len = chunk};
    const ssize_t moved = write ? process_vm_writev(pid_, &local_range, 1, &remote_range, 1, 0)
                                : process_vm_readv(pid_, &local_range, 1, &remote_range, 1, 0);
    if (moved < 0) return ErrnoStatus(errno, what, address, size);
    if (moved == 0) return ErrnoStatus(EFAULT, what, address, size);
    done += static_cast<uint64_t>(moved);
  }
  // Bytes read from a process that exited meanwhile may be another's.
  if (!Alive()) return ErrnoStatus(ESRCH, what, address, size);
  return absl::OkStatus();
}

}  // namespace hal::daemon
