// Device enumeration: every CUDA device with its properties (name, UUID,
// compute capability as "sm_XY", SMs, memory, L2, limits, PCI bus id), the
// kernel formats it runs and its optional capabilities.
#ifndef HAL_BACKENDS_CUDA_CUDA_DEVICE_H_
#define HAL_BACKENDS_CUDA_CUDA_DEVICE_H_

#include <cuda.h>

#include "backends/cuda/cuda_state.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

// Fills State().devices (and unusable) from libcuda, after cuInit.
// HAL_ERROR_UNAVAILABLE when no device can be served, naming why.
hal_result EnumerateDevices();

// The device's primary context, retained on first call.
hal_result RetainPrimary(Device& device, CUcontext* out_context);
// Releases every retained primary context (shutdown).
void ReleasePrimaries();

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_DEVICE_H_
