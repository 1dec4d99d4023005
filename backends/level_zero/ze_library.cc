#include "backends/level_zero/ze_library.h"

#include <dlfcn.h>

#include <string>
#include <vector>

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/symbol_table.h"

namespace hal::level_zero {
namespace {

constexpr char kLibraryName[] = "libze_loader.so.1";

}  // namespace

hal_result LoadZeApi(ZeApi* api) {
  void* library = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, error != nullptr ? error : kLibraryName);
  }
  const std::vector<gpu::SymbolSpec> specs = {
#define HAL_ZE_SPEC(name, group) {#name, 0, 0, group, &api->name},
      HAL_ZE_FUNCTIONS(HAL_ZE_SPEC)
#undef HAL_ZE_SPEC
  };
  // The loader exports each function under its plain name; there are no
  // versioned spellings to choose between.
  const gpu::SymbolResolver resolver = [library](const char* name, int, void** out) {
    *out = dlsym(library, name);
    return *out != nullptr ? gpu::ResolveStatus::kFound : gpu::ResolveStatus::kNotFound;
  };
  const gpu::SymbolResolution resolution = gpu::ResolveSymbols(specs, resolver);
  if (!resolution.complete()) {
    dlclose(library);
    *api = ZeApi{};
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, std::string(kLibraryName) +
                                                " lacks required functions: " +
                                                resolution.MissingRequiredList());
  }
  api->has_virtual_memory = resolution.HasGroup(HAL_ZE_VIRTUAL_MEMORY_GROUP);
  return HAL_SUCCESS;
}

}  // namespace hal::level_zero
