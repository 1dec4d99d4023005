// Vendor handles (pointers such as CUstream and hipStream_t, integers such
// as CUdeviceptr) widened to the core's uint64_t, and back.
#ifndef HAL_BACKENDS_GPU_CORE_NATIVE_HANDLES_H_
#define HAL_BACKENDS_GPU_CORE_NATIVE_HANDLES_H_

#include <cstdint>
#include <type_traits>

namespace hal::gpu {

template <typename T>
uint64_t Widen(T handle) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<uint64_t>(handle);
  } else {
    return static_cast<uint64_t>(handle);
  }
}

template <typename T>
T Narrow(uint64_t handle) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(handle);
  } else {
    return static_cast<T>(handle);
  }
}

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_NATIVE_HANDLES_H_
