// The ABI's opaque handles are pointers to the CUDA driver's objects (the
// shared core's, instantiated for the CUDA context).
#ifndef HAL_BACKENDS_CUDA_CUDA_HANDLES_H_
#define HAL_BACKENDS_CUDA_CUDA_HANDLES_H_

#include <memory>

#include "backends/common/driver_handles.h"
#include "backends/cuda/cuda_context.h"
#include "backends/gpu_core/gpu_objects.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

using Buffer = gpu::Buffer;
using Stream = gpu::Stream<Context>;
using Event = gpu::Event<Context>;
using Module = gpu::Module<Context>;
using Kernel = gpu::Kernel;

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event, Module, Kernel> Unwrap{};
using driver_support::Wrap;

// Vendor handles widened for the core's objects, and back.
template <typename T>
uint64_t Widen(T handle) {
  return reinterpret_cast<uint64_t>(handle);
}
template <typename T>
T Narrow(uint64_t handle) {
  return reinterpret_cast<T>(handle);
}

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_HANDLES_H_
