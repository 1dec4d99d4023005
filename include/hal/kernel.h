// A kernel loaded on one device, ready to dispatch. Created by
// Device::LoadKernel. Thread-safe (immutable).
#ifndef HAL_KERNEL_H_
#define HAL_KERNEL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "hal/export.h"
#include "hal/native_handle.h"

namespace hal {

namespace internal {
struct KernelState;
struct Access;
}  // namespace internal

class HAL_API Kernel {
 public:
  HAL_INTERNAL explicit Kernel(std::shared_ptr<internal::KernelState> state);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  const std::string& name() const;
  uint32_t binding_count() const;
  uint32_t push_constant_size() const;
  std::array<uint32_t, 3> workgroup_size() const;
  const std::string& image_format() const;  // the bundle image it came from

  // The vendor object behind the kernel (hal/native_handle.h): "CUfunction",
  // "VkPipeline", ... Unimplemented on a device without
  // Capability::kNativeHandles.
  absl::StatusOr<hal::NativeHandle> NativeHandle() const;

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::KernelState> state_;
};

}  // namespace hal

#endif  // HAL_KERNEL_H_
