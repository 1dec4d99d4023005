// The host side of a HOST_STAGING buffer: page-aligned, zeroed memory that
// buffer_map returns (backends/remote/README.md, "Host-staging buffers"). On
// a Unix socket it is a sealed memfd that hald may map and register with its
// device, so that the buffer in hald and this memory are one. The memory of a
// shared DEVICE buffer is one too ("Shared device buffers").
#ifndef HAL_BACKENDS_REMOTE_HOST_SHADOW_H_
#define HAL_BACKENDS_REMOTE_HOST_SHADOW_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "backends/remote/protocol/shared_memory.h"

namespace hal::remote {

// DEVICE buffers of at least this many bytes are offered to hald as memfds
// where it takes them, and copies of at least this many bytes into and out of
// them are this process's own: a memfd, two mappings and a descriptor passed
// cost more than small buffers gain (each mapping is one of the process's
// limited count, vm.max_map_count), and a small copy more than the request
// that asks whether its stream is idle.
inline constexpr uint64_t kSharedDeviceBufferMinBytes = uint64_t{1} << 20;

class HostShadow {
 public:
  // `size` bytes (rounded up to whole pages). With `shareable`, a sealed
  // memfd named `memfd_name` (which /proc/PID/maps shows, "memfd:NAME"; fd()
  // until CloseDescriptor); anonymous memory otherwise. nullptr when the host
  // has no memory for it.
  static std::unique_ptr<HostShadow> Allocate(uint64_t size, bool shareable,
                                              const char* memfd_name = kStagingMemfdName);
  static constexpr char kStagingMemfdName[] = "hal-staging";
  static constexpr char kDeviceBufferMemfdName[] = "hal-device-buffer";
  ~HostShadow();
  HostShadow(const HostShadow&) = delete;
  HostShadow& operator=(const HostShadow&) = delete;

  uint8_t* data() const { return data_; }
  // The memfd to send hald; -1 for anonymous memory or once closed.
  int fd() const { return memfd_.has_value() ? memfd_->fd() : -1; }
  // Once hald has its own mapping (or refused it), the descriptor goes: a
  // tenant with many staging buffers holds no descriptor for each.
  void CloseDescriptor() {
    if (memfd_.has_value()) memfd_->CloseDescriptor();
  }

 private:
  HostShadow(uint8_t* data, uint64_t mapped_size, std::optional<SharedMemory> memfd)
      : data_(data), mapped_size_(mapped_size), memfd_(std::move(memfd)) {}

  uint8_t* data_;
  uint64_t mapped_size_;
  std::optional<SharedMemory> memfd_;  // unmaps itself; else data_ is anonymous
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_HOST_SHADOW_H_
