// Level Zero's results mapped to the ABI's, with their names in messages:
// "zeMemAllocDevice: ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY (1879048195)".
#ifndef HAL_BACKENDS_LEVEL_ZERO_ZE_ERRORS_H_
#define HAL_BACKENDS_LEVEL_ZERO_ZE_ERRORS_H_

#include "backends/gpu_core/vendor_errors.h"

namespace hal::level_zero {

const gpu::VendorErrorTable& ZeErrors();

// Calls Level Zero function `name` of the driver's ZeApi and checks its
// result; `health` (a gpu::ContextHealth*, may be null) is marked lost by a
// sticky error. Evaluates to a hal_result.
#define HAL_ZE(health, name, ...) \
  ::hal::level_zero::ZeErrors().Check(::hal::level_zero::Api().name(__VA_ARGS__), #name, "", (health))

}  // namespace hal::level_zero

#endif  // HAL_BACKENDS_LEVEL_ZERO_ZE_ERRORS_H_
