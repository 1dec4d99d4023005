// CUresult -> hal_result with the code's name in the message, e.g.
// "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"; sticky codes
// mark the context lost (gpu_core's VendorErrorTable).
#ifndef HAL_BACKENDS_CUDA_CUDA_ERRORS_H_
#define HAL_BACKENDS_CUDA_CUDA_ERRORS_H_

#include <cuda.h>

#include "backends/gpu_core/gpu_objects.h"
#include "backends/gpu_core/vendor_errors.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

const gpu::VendorErrorTable& CudaErrors();

// HAL_SUCCESS for CUDA_SUCCESS; otherwise the mapped result with the message
// set (the description from cuGetErrorString when libcuda is loaded). A
// sticky code marks `health` lost.
hal_result Check(CUresult result, const char* function, gpu::ContextHealth* health = nullptr);

}  // namespace hal::cuda

// Calls libcuda's `function` and checks its result, naming the function as
// the caller wrote it (the plain name, not cuda.h's _v2 spelling).
#define HAL_CU(health, function, ...) \
  ::hal::cuda::Check(::hal::cuda::Api().function(__VA_ARGS__), #function, health)

#endif  // HAL_BACKENDS_CUDA_CUDA_ERRORS_H_
