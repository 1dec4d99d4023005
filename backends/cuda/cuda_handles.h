// The ABI's opaque handles are pointers to the CUDA driver's objects (the
// shared core's, instantiated for the CUDA context).
#ifndef HAL_BACKENDS_CUDA_CUDA_HANDLES_H_
#define HAL_BACKENDS_CUDA_CUDA_HANDLES_H_

#include <memory>

#include "backends/cuda/cuda_context.h"
#include "backends/gpu_core/gpu_objects.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

using Buffer = gpu::Buffer;
using Stream = gpu::Stream<Context>;
using Event = gpu::Event<Context>;
using Module = gpu::Module<Context>;
using Kernel = gpu::Kernel;

inline Context* Unwrap(hal_drv_context* handle) { return reinterpret_cast<Context*>(handle); }
inline Buffer* Unwrap(hal_drv_buffer* handle) { return reinterpret_cast<Buffer*>(handle); }
inline Stream* Unwrap(hal_drv_stream* handle) { return reinterpret_cast<Stream*>(handle); }
inline Event* Unwrap(hal_drv_event* handle) { return reinterpret_cast<Event*>(handle); }
inline Module* Unwrap(hal_drv_module* handle) { return reinterpret_cast<Module*>(handle); }
inline Kernel* Unwrap(hal_drv_kernel* handle) { return reinterpret_cast<Kernel*>(handle); }

// Releases `object` to the caller as a `Handle`.
template <typename Handle, typename Object>
Handle* Wrap(std::unique_ptr<Object> object) {
  return reinterpret_cast<Handle*>(object.release());
}

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
