// The libamdhip64 entry points the driver uses (hip_entry_points.h),
// resolved at run time by dlsym: the library is never linked.
#ifndef HAL_BACKENDS_HIP_HIP_API_H_
#define HAL_BACKENDS_HIP_HIP_API_H_

#include "backends/hip/hip_entry_points.h"
#include "hal/driver/hal_driver.h"

namespace hal::hip {

struct HipApi {
#define HAL_HIP_REQUIRED_MEMBER(name, type, parameters) type(*name) parameters = nullptr;
#define HAL_HIP_OPTIONAL_MEMBER(group, name, type, parameters) type(*name) parameters = nullptr;
  HAL_HIP_SYMBOLS(HAL_HIP_REQUIRED_MEMBER, HAL_HIP_OPTIONAL_MEMBER)
#undef HAL_HIP_OPTIONAL_MEMBER
#undef HAL_HIP_REQUIRED_MEMBER
  const char* library = nullptr;  // the soname that loaded

  // The optional groups: each all or nothing, its slots null when missing.
  bool has_launch_bounds() const { return hipFuncGetAttribute != nullptr; }
  bool has_virtual_memory() const { return hipMemCreate != nullptr; }
  bool has_cu_masks() const { return hipExtStreamCreateWithCUMask != nullptr; }
  bool has_primary_contexts() const { return hipDevicePrimaryCtxRetain != nullptr; }
};

// The sonames tried, in order: the development link, then ROCm 6's and
// ROCm 5's runtime sonames.
inline constexpr const char* kHipLibraryNames[] = {"libamdhip64.so", "libamdhip64.so.6",
                                                   "libamdhip64.so.5"};

// Opens the first of kHipLibraryNames that loads (kept open until the
// process ends: the HIP runtime does not support being unloaded) and
// resolves every entry point. On failure HAL_ERROR_UNAVAILABLE with the
// reason: each soname's dlerror text, or the required functions it lacks.
hal_result LoadHipApi(HipApi* api);

// The driver's entry points, resolved at initialize() and forgotten at
// shutdown().
HipApi& MutableApi();
inline const HipApi& Api() { return MutableApi(); }

}  // namespace hal::hip

#endif  // HAL_BACKENDS_HIP_HIP_API_H_
