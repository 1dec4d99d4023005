#include "backends/opencl/opencl_api.h"

#include <dlfcn.h>

#include <string>
#include <vector>

#include "backends/common/driver_error.h"
#include "backends/gpu_core/symbol_table.h"

namespace hal::opencl {
namespace {

constexpr char kLibraryName[] = "libOpenCL.so.1";

OpenClApi& MutableApi() {
  static OpenClApi api;
  return api;
}

std::vector<gpu::SymbolSpec> SymbolSpecs(OpenClApi* api) {
  return {
#define HAL_OPENCL_SPEC(name, version, group) {#name, version, 0, group, &api->name},
      HAL_OPENCL_SYMBOLS(HAL_OPENCL_SPEC)
#undef HAL_OPENCL_SPEC
  };
}

}  // namespace

hal_result LoadOpenClApi() {
  void* library = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    return driver_support::Fail(HAL_ERROR_UNAVAILABLE,
                                error != nullptr ? error : "libOpenCL.so.1 did not open");
  }
  // The loader exports plain names; the OpenCL version is not asked for.
  const gpu::SymbolResolver resolver = [library](const char* name, int /*version*/, void** out) {
    *out = dlsym(library, name);
    return *out != nullptr ? gpu::ResolveStatus::kFound : gpu::ResolveStatus::kNotFound;
  };
  OpenClApi& api = MutableApi();
  const gpu::SymbolResolution resolution = gpu::ResolveSymbols(SymbolSpecs(&api), resolver);
  if (!resolution.complete()) {
    return driver_support::Fail(HAL_ERROR_UNAVAILABLE, std::string(kLibraryName) +
                                                           " lacks required functions: " +
                                                           resolution.MissingRequiredList());
  }
  api.has_il = resolution.HasGroup(kIlGroup);
  return HAL_SUCCESS;
}

const OpenClApi& Api() { return MutableApi(); }

}  // namespace hal::opencl
