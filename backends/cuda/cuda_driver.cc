// The CUDA driver: its one exported entry point gives the shared core's
// table over CudaVendor; loading libcuda and cuInit here.
#include <string>

#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {
namespace {

// Why cuInit failed, said plainly where libcuda's own words are terse.
std::string InitFailureHint(CUresult result) {
  switch (result) {
    case CUDA_ERROR_STUB_LIBRARY:
      return " (libcuda.so.1 is the CUDA toolkit's stub library, for linking only: install the "
             "NVIDIA driver)";
    case CUDA_ERROR_NO_DEVICE:
      return " (no NVIDIA GPU is visible to this process)";
    default:
      return "";
  }
}

}  // namespace

hal_result CudaVendor::Load() {
  if (const hal_result r = LoadCudaApi(&MutableApi())) return r;
  const CUresult init = Api().cuInit(0);
  if (init == CUDA_SUCCESS) return HAL_SUCCESS;
  const hal_result result = Check(init, "cuInit");
  return gpu::Fail(result, gpu::LastErrorMessage() + InitFailureHint(init));
}

}  // namespace hal::cuda

HAL_GPU_DRIVER_ENTRY_POINT(hal::cuda::CudaVendor)
