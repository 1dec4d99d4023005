#include "backends/hip/hip_api.h"

#include <dlfcn.h>

#include <string>
#include <type_traits>
#include <vector>

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/symbol_table.h"

namespace hal::hip {
namespace {

// Each prototype of hip_entry_points.h is the header's own: a mismatch picks
// no overload (or the wrong one) and fails to build here.
#define HAL_HIP_CHECK_REQUIRED(name, type, parameters) \
  static_assert(                                       \
      std::is_same_v<decltype(static_cast<type(*) parameters>(&::name)), type(*) parameters>);
#define HAL_HIP_CHECK_OPTIONAL(group, name, type, parameters) \
  HAL_HIP_CHECK_REQUIRED(name, type, parameters)
HAL_HIP_SYMBOLS(HAL_HIP_CHECK_REQUIRED, HAL_HIP_CHECK_OPTIONAL)
#undef HAL_HIP_CHECK_OPTIONAL
#undef HAL_HIP_CHECK_REQUIRED

std::vector<gpu::SymbolSpec> SymbolSpecs(HipApi* api) {
  return {
#define HAL_HIP_REQUIRED_SPEC(name, type, parameters) {#name, 0, 0, nullptr, &api->name},
#define HAL_HIP_OPTIONAL_SPEC(group, name, type, parameters) {#name, 0, 0, group, &api->name},
      HAL_HIP_SYMBOLS(HAL_HIP_REQUIRED_SPEC, HAL_HIP_OPTIONAL_SPEC)
#undef HAL_HIP_OPTIONAL_SPEC
#undef HAL_HIP_REQUIRED_SPEC
  };
}

std::string DlError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown dynamic loader error";
}

}  // namespace

HipApi& MutableApi() {
  // Destroyed when the runtime unloads the driver, after shutdown().
  static HipApi api;
  return api;
}

hal_result LoadHipApi(HipApi* api) {
  void* library = nullptr;
  std::string errors;
  for (const char* name : kHipLibraryNames) {
    library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library != nullptr) {
      api->library = name;
      break;
    }
    errors += (errors.empty() ? "" : "; ") + DlError();
  }
  if (library == nullptr) {
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, "no HIP runtime (libamdhip64) loads: " + errors);
  }
  // ROCm 5 has no hipGetProcAddress: every name is the library's own symbol.
  const gpu::SymbolResolver resolver = [library](const char* name, int, void** out) {
    *out = dlsym(library, name);
    return *out != nullptr ? gpu::ResolveStatus::kFound : gpu::ResolveStatus::kNotFound;
  };
  const gpu::SymbolResolution resolution = gpu::ResolveSymbols(SymbolSpecs(api), resolver);
  if (!resolution.complete()) {
    return gpu::Fail(HAL_ERROR_UNAVAILABLE,
                     std::string(api->library) +
                         " lacks required functions: " + resolution.MissingRequiredList());
  }
  return HAL_SUCCESS;
}

}  // namespace hal::hip
