// hipError_t -> hal_result with the code's name in the message, e.g.
// "hipMalloc: hipErrorOutOfMemory (2): out of memory"; sticky codes mark
// the context lost (gpu_core's VendorErrorTable).
#ifndef HAL_BACKENDS_HIP_HIP_ERRORS_H_
#define HAL_BACKENDS_HIP_HIP_ERRORS_H_

#include "backends/gpu_core/gpu_objects.h"
#include "backends/gpu_core/vendor_errors.h"
#include "backends/hip/hip_entry_points.h"
#include "hal/driver/hal_driver.h"

namespace hal::hip {

const gpu::VendorErrorTable& HipErrors();

// HAL_SUCCESS for hipSuccess; otherwise the mapped result with the message
// set. A code the table lacks (a newer runtime's) is named by
// hipGetErrorName when the library is loaded; hipGetErrorString's text is
// the description where it says more than the name. A sticky code marks
// `health` lost.
hal_result Check(hipError_t result, const char* function, gpu::ContextHealth* health = nullptr);

// Takes the answer of a release nobody can act on (a free in teardown,
// behind an ABI function that returns nothing): hipError_t is [[nodiscard]].
inline void Released(hipError_t /*ignored*/) {}

}  // namespace hal::hip

// Calls libamdhip64's `function` and checks its result under its name; a
// sticky error marks `health` (when not null) lost.
#define HAL_HIP(health, function, ...) \
  ::hal::hip::Check(::hal::hip::Api().function(__VA_ARGS__), #function, health)
// The same for a call on hal context `context`, whose health it keeps.
#define HAL_HIP_IN(context, function, ...) HAL_HIP(&(context).health, function, __VA_ARGS__)

#endif  // HAL_BACKENDS_HIP_HIP_ERRORS_H_
