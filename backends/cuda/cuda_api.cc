#include "backends/cuda/cuda_api.h"

#include <dlfcn.h>

#include <string>
#include <vector>

#include "backends/cuda/cuda_errors.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/symbol_table.h"

namespace hal::cuda {
namespace {

constexpr char kLibraryName[] = "libcuda.so.1";

std::string DlError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown dynamic loader error";
}

// Why a library refused to resolve: the stub's answer needs saying plainly.
std::string RefusalReason(CUresult refusal) {
  return refusal == CUDA_ERROR_STUB_LIBRARY
             ? "this is the CUDA toolkit's stub library (lib64/stubs, for linking), not an "
               "NVIDIA driver"
             : "";
}

std::vector<gpu::SymbolSpec> SymbolSpecs(CudaApi* api) {
  return {
#define HAL_CUDA_SPEC(name, version, fallback, group) {#name, version, fallback, group, &api->name},
      HAL_CUDA_SYMBOLS(HAL_CUDA_SPEC)
#undef HAL_CUDA_SPEC
  };
}

}  // namespace

hal_result LoadCudaApi(CudaApi* api) {
  void* library = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return gpu::Fail(HAL_ERROR_UNAVAILABLE, DlError());
  const auto get_proc_address =
      reinterpret_cast<decltype(&::cuGetProcAddress_v2)>(dlsym(library, "cuGetProcAddress_v2"));
  if (get_proc_address == nullptr) {
    return gpu::Fail(HAL_ERROR_UNAVAILABLE,
                     std::string(kLibraryName) +
                         " has no cuGetProcAddress_v2 (an NVIDIA driver older than CUDA 12): " +
                         DlError());
  }
  // The toolkit's stub library answers CUDA_ERROR_STUB_LIBRARY to every call,
  // cuGetProcAddress_v2 included: keep the first such answer to say so.
  CUresult refusal = CUDA_SUCCESS;
  const gpu::SymbolResolver resolver = [&](const char* name, int version, void** out) {
    CUdriverProcAddressQueryResult status = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    const CUresult result =
        get_proc_address(name, out, version, CU_GET_PROC_ADDRESS_DEFAULT, &status);
    if (result == CUDA_SUCCESS && status == CU_GET_PROC_ADDRESS_SUCCESS && *out != nullptr) {
      return gpu::ResolveStatus::kFound;
    }
    if (status == CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT) {
      return gpu::ResolveStatus::kVersionNotSufficient;
    }
    if (result != CUDA_SUCCESS && result != CUDA_ERROR_NOT_FOUND && refusal == CUDA_SUCCESS) {
      refusal = result;
    }
    return gpu::ResolveStatus::kNotFound;
  };
  const gpu::SymbolResolution resolution = gpu::ResolveSymbols(SymbolSpecs(api), resolver);
  if (!resolution.complete()) {
    if (refusal != CUDA_SUCCESS) {
      return gpu::Fail(HAL_ERROR_UNAVAILABLE,
                       std::string(kLibraryName) + ": " +
                           CudaErrors().Describe("cuGetProcAddress_v2", refusal,
                                                 RefusalReason(refusal)));
    }
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, std::string(kLibraryName) +
                                                " lacks required functions: " +
                                                resolution.MissingRequiredList());
  }
  api->has_virtual_memory = resolution.HasGroup(kVirtualMemoryGroup);
  api->has_green_contexts = resolution.HasGroup(kGreenContextGroup);
  api->has_param_info = resolution.HasGroup(kParamInfoGroup);
  api->has_launch_bounds = resolution.HasGroup(kLaunchBoundsGroup);
  return HAL_SUCCESS;
}

}  // namespace hal::cuda
