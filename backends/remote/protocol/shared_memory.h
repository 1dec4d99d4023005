#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_SHARED_MEMORY_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_SHARED_MEMORY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backends/remote/protocol/unique_fd.h"
#include "hal_remote.pb.h"

namespace hal::remote {

using ShmRange = ::hal::remote::v1::ShmRange;

// A session's bulk-data area: a sealed memfd mapped by both the tenant and
// the daemon. Move-only; unmapped and closed on destruction.
class SharedMemory {
 public:
  // Tenant side: memfd_create(name) of `size` bytes, sealed against
  // shrinking, growing and further sealing, mapped read-write.
  static absl::StatusOr<SharedMemory> Create(uint64_t size, const char* name);
  // Daemon side: maps a memfd a tenant sent. Its size must equal
  // `expected_size` and it must carry F_SEAL_SHRINK (so the tenant cannot
  // truncate it under the daemon's mapping and SIGBUS it); InvalidArgument
  // otherwise.
  static absl::StatusOr<SharedMemory> Map(UniqueFd fd, uint64_t expected_size);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  ~SharedMemory();

  // Touches every page now, from this process: the kernel charges a memfd's
  // page to the memory cgroup of whoever touches it first, and the daemon,
  // which may write it (or pin it, registering it with a GPU) first, must
  // not pay for (or let escape the tenant's limit) memory a tenant made.
  // Best effort: a kernel before 5.14 has no MADV_POPULATE_WRITE, and the
  // pages then fault in as used.
  void PopulateHere() const;

  // Closes the memfd and keeps the mapping (fd() is -1 after): a process
  // holding many mappings need not hold a descriptor for each.
  void CloseDescriptor() { fd_.reset(); }

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  int fd() const { return fd_.get(); }

  // The bytes `range` names; InvalidArgument when it does not lie inside
  // (overflow-safe).
  absl::StatusOr<absl::Span<uint8_t>> Range(const ShmRange& range) const;

 private:
  SharedMemory(UniqueFd fd, uint8_t* data, uint64_t size)
      : fd_(std::move(fd)), data_(data), size_(size) {}
  void Unmap();

  UniqueFd fd_;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_SHARED_MEMORY_H_
