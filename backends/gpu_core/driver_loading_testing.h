// For the GPU drivers' tests: a built driver plugin dlopen'd and its table
// taken, as the runtime takes it.
#ifndef HAL_BACKENDS_GPU_CORE_DRIVER_LOADING_TESTING_H_
#define HAL_BACKENDS_GPU_CORE_DRIVER_LOADING_TESTING_H_

#include <dlfcn.h>

#include "hal/driver/hal_driver.h"

namespace hal::gpu::testing {

// The table of the driver plugin at `path`; nullptr when it does not load
// or export one.
inline const hal_driver_table* LoadDriverTable(const char* path) {
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return nullptr;
  const auto get_table =
      reinterpret_cast<hal_driver_get_table_fn>(dlsym(library, HAL_DRIVER_ENTRY_POINT_NAME));
  return get_table == nullptr ? nullptr : get_table(HAL_DRIVER_ABI_VERSION_MAJOR, 0);
}

}  // namespace hal::gpu::testing

#endif  // HAL_BACKENDS_GPU_CORE_DRIVER_LOADING_TESTING_H_
