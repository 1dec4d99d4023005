// The host side of a HOST_STAGING buffer: page-aligned, zeroed memory that
// buffer_map returns (backends/remote/README.md, "Host-staging buffers").
#ifndef HAL_BACKENDS_REMOTE_HOST_SHADOW_H_
#define HAL_BACKENDS_REMOTE_HOST_SHADOW_H_

#include <cstdint>
#include <memory>

namespace hal::remote {

class HostShadow {
 public:
  // nullptr when the host has no memory for it.
  static std::unique_ptr<HostShadow> Allocate(uint64_t size);
  ~HostShadow();
  HostShadow(const HostShadow&) = delete;
  HostShadow& operator=(const HostShadow&) = delete;

  uint8_t* data() const { return data_; }

 private:
  HostShadow(uint8_t* data, uint64_t mapped_size) : data_(data), mapped_size_(mapped_size) {}

  uint8_t* data_;
  uint64_t mapped_size_;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_HOST_SHADOW_H_
