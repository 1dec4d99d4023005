// Code objects through libamdhip64: an hsaco image (an AMD code object, or
// the clang offload bundle hipcc --genco writes) through hipModuleLoadData,
// kernels through hipModuleGetFunction, their launch bounds through
// hipFuncGetAttribute. HIP cannot say a kernel's parameter layout: the
// bundle's signature is trusted there.
#include <string>
#include <vector>

#include "backends/gpu_core/image_extent.h"
#include "backends/gpu_core/native_handles.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {

hal_result HipVendor::ModuleLoad(Context& context, const hal_module_desc& desc, const void* image,
                                 uint64_t* out_module) {
  // hipModuleLoadData takes no size: what it is given must be a container
  // whose own headers say where it ends (checked within the size already).
  if (gpu::ContainerOf(static_cast<const uint8_t*>(image), desc.image_size) ==
      gpu::ImageContainer::kOther) {
    return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT,
                     std::string("a ") + desc.format + " image is an AMD code object (ELF) or a " +
                         "clang offload bundle; these " + std::to_string(desc.image_size) +
                         " bytes are neither");
  }
  hipModule_t module = nullptr;
  const hal_result result = HAL_HIP_IN(context, hipModuleLoadData, &module, image);
  *out_module = gpu::Widen(module);
  return result;
}

void HipVendor::ModuleUnload(Context& /*context*/, uint64_t module) {
  Released(Api().hipModuleUnload(gpu::Narrow<hipModule_t>(module)));
}

hal_result HipVendor::GetFunction(Context& context, uint64_t module, const char* name,
                                  uint64_t* out_function) {
  hipFunction_t function = nullptr;
  const hal_result result =
      HAL_HIP_IN(context, hipModuleGetFunction, &function, gpu::Narrow<hipModule_t>(module), name);
  *out_function = gpu::Widen(function);
  return result;
}

hal_result HipVendor::KernelParamSizes(Context& /*context*/, uint64_t /*function*/,
                                       std::vector<size_t>* /*out_sizes*/, bool* out_known) {
  *out_known = false;
  return HAL_SUCCESS;
}

// A kernel's maximum threads per block is its code object's
// .max_flat_workgroup_size, which __launch_bounds__ sets.
hal_result HipVendor::KernelMaxThreads(Context& context, uint64_t function, int* out_threads,
                                       bool* out_known) {
  *out_known = Api().has_launch_bounds();
  if (!*out_known) return HAL_SUCCESS;
  return HAL_HIP_IN(context, hipFuncGetAttribute, out_threads,
                    HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, gpu::Narrow<hipFunction_t>(function));
}

}  // namespace hal::hip
