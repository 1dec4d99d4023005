// The HIP driver: its one exported entry point gives the shared core's table
// over HipVendor; loading libamdhip64 and hipInit here.
#include <string>

#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"
#include "hal/driver/hal_driver.h"

namespace hal::hip {

// ROCm's runtime without an AMD GPU (Debian's libamdhip64 on any machine
// without one) answers hipErrorInvalidDevice to hipInit, and
// hipErrorNoDevice to the device count: both say the same to the user.
hal_result HipVendor::Load() {
  if (const hal_result r = LoadHipApi(&MutableApi())) return r;
  const hipError_t init = Api().hipInit(0);
  const hal_result result = Check(init, "hipInit");
  if (result == HAL_SUCCESS) return result;
  const bool no_gpu = init == hipErrorNoDevice || init == hipErrorInvalidDevice;
  return gpu::Fail(result, Api().library + std::string(": ") + gpu::LastErrorMessage() +
                               (no_gpu ? " (no AMD GPU is visible to this process)" : ""));
}

}  // namespace hal::hip

HAL_GPU_DRIVER_ENTRY_POINT(hal::hip::HipVendor)
