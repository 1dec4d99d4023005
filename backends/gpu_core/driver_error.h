// Error reporting of the GPU drivers (CUDA, HIP): the drivers' shared one
// (backends/common/driver_error.h), in the core's namespace.
#ifndef HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_
#define HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_

#include "backends/common/driver_error.h"

namespace hal::gpu {

using driver_support::Fail;
using driver_support::LastErrorMessage;

inline constexpr driver_support::ExceptionBarrier Guarded{"the driver"};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_
