// The host side of a HOST_STAGING buffer: page-aligned, zeroed memory that
// buffer_map returns (backends/remote/README.md, "Host-staging buffers"). On
// a Unix socket it is a sealed memfd that hald may map and register with its
// device, so that the buffer in hald and this memory are one.
#ifndef HAL_BACKENDS_REMOTE_HOST_SHADOW_H_
#define HAL_BACKENDS_REMOTE_HOST_SHADOW_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "backends/remote/protocol/shared_memory.h"

namespace hal::remote {

class HostShadow {
 public:
  // `size` bytes (rounded up to whole pages). With `shareable`, a sealed
  // memfd (fd() until CloseDescriptor); anonymous memory otherwise. nullptr
  // when the host has no memory for it.
  static std::unique_ptr<HostShadow> Allocate(uint64_t size, bool shareable);
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
