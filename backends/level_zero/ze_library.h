// libze_loader.so.1, opened at run time, and the functions of ze_functions.h
// resolved from it.
#ifndef HAL_BACKENDS_LEVEL_ZERO_ZE_LIBRARY_H_
#define HAL_BACKENDS_LEVEL_ZERO_ZE_LIBRARY_H_

#include <level_zero/ze_api.h>

#include "backends/level_zero/ze_functions.h"
#include "hal/driver/hal_driver.h"

namespace hal::level_zero {

struct ZeApi {
#define HAL_ZE_POINTER(name, group) decltype(&::name) name = nullptr;
  HAL_ZE_FUNCTIONS(HAL_ZE_POINTER)
#undef HAL_ZE_POINTER
  bool has_virtual_memory = false;
};

// Opens the loader and resolves every function. HAL_ERROR_UNAVAILABLE with
// dlopen's message, or naming every required function missing. The loader
// is never closed: its drivers' threads and atexit handlers may outlive
// shutdown() (libcuda stays loaded the same way).
hal_result LoadZeApi(ZeApi* api);

}  // namespace hal::level_zero

#endif  // HAL_BACKENDS_LEVEL_ZERO_ZE_LIBRARY_H_
