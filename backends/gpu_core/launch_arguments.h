// The kernel ABI as cuLaunchKernel/hipModuleLaunchKernel take it: a kernel
// `k(T0* b0, ..., T(N-1)* bN-1, PushConstants pc)` receives `kernelParams`, an
// array of pointers to each argument's value: N device pointers (a binding's
// buffer address plus its offset), then the push-constant bytes as one
// by-value struct when the kernel has any. The storage lives in this object,
// so it must outlive the launch call (the vendor copies the values then).
#ifndef HAL_BACKENDS_GPU_CORE_LAUNCH_ARGUMENTS_H_
#define HAL_BACKENDS_GPU_CORE_LAUNCH_ARGUMENTS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

class LaunchArguments {
 public:
  // `binding_addresses`: `binding_count` device addresses with offsets
  // applied. `push_constant_size` <= HAL_MAX_PUSH_CONSTANT_SIZE.
  LaunchArguments(const uint64_t* binding_addresses, uint32_t binding_count,
                  const void* push_constants, uint32_t push_constant_size);
  LaunchArguments(const LaunchArguments&) = delete;
  LaunchArguments& operator=(const LaunchArguments&) = delete;

  // The kernelParams array: count() pointers.
  void** kernel_params() { return params_.data(); }
  uint32_t count() const { return count_; }

 private:
  // Left uninitialized: a launch reads only the count() entries the
  // constructor writes, and zeroing all of them cost more than packing.
  std::array<uint64_t, HAL_MAX_BINDINGS> pointers_;
  // Aligned for any push-constant struct a kernel declares.
  alignas(16) std::array<std::byte, HAL_MAX_PUSH_CONSTANT_SIZE> push_constants_;
  std::array<void*, HAL_MAX_BINDINGS + 1> params_;
  uint32_t count_ = 0;
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_LAUNCH_ARGUMENTS_H_
