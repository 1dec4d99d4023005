// Code objects through libamdhip64: an hsaco image (an AMD code object, or
// the clang offload bundle hipcc --genco writes) through hipModuleLoadData,
// kernels through hipModuleGetFunction, their launch bounds through
// hipFuncGetAttribute. HIP cannot say a kernel's parameter layout: the
// driver reads it from the code object's own metadata (the one of the
// bundle the runtime loads for the device), so that a bundle's signature
// is checked as the CUDA driver checks it through cuFuncGetParamInfo.
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backends/gpu_core/hsaco.h"
#include "backends/gpu_core/image_extent.h"
#include "backends/gpu_core/native_handles.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {
namespace {

// The explicit argument sizes of each kernel of the code object a device of
// `target_id` runs from `image` (hidden_* arguments are the runtime's, not
// the kernel ABI's).
absl::StatusOr<std::map<std::string, std::vector<size_t>>> ReadArgumentSizes(
    absl::Span<const uint8_t> image, const std::string& target_id) {
  absl::StatusOr<absl::Span<const uint8_t>> code_object = gpu::CodeObjectFor(image, target_id);
  if (!code_object.ok()) return code_object.status();
  absl::StatusOr<gpu::CodeObjectMetadata> metadata = gpu::ReadCodeObject(*code_object);
  if (!metadata.ok()) return metadata.status();
  std::map<std::string, std::vector<size_t>> sizes;
  for (const auto& [name, layout] : metadata->kernels) {
    std::vector<size_t>& kernel = sizes[name];
    for (const gpu::KernelParam& param : layout.params) kernel.push_back(param.size);
  }
  return sizes;
}

}  // namespace

hal_result HipVendor::ModuleLoad(Context& context, const hal_module_desc& desc, const void* image,
                                 uint64_t* out_module) {
  // hipModuleLoadData takes no size: what it is given must be a container
  // whose own headers say where it ends (checked within the size already).
  const auto* bytes = static_cast<const uint8_t*>(image);
  if (gpu::ContainerOf(bytes, desc.image_size) == gpu::ImageContainer::kOther) {
    return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT,
                     std::string("a ") + desc.format + " image is an AMD code object (ELF) or a " +
                         "clang offload bundle; these " + std::to_string(desc.image_size) +
                         " bytes are neither");
  }
  hipModule_t module = nullptr;
  if (const hal_result r = HAL_HIP_IN(context, hipModuleLoadData, &module, image)) return r;
  // After the runtime accepted the image, so that its own refusals (no code
  // object for this device, a malformed one) keep their error codes.
  absl::StatusOr<std::map<std::string, std::vector<size_t>>> sizes =
      ReadArgumentSizes(absl::MakeConstSpan(bytes, desc.image_size), DeviceOf(context).target_id);
  if (!sizes.ok()) {
    Released(Api().hipModuleUnload(module));
    return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT, std::string("the ") + desc.format +
                                                     " image's kernel argument metadata: " +
                                                     std::string(sizes.status().message()));
  }
  *out_module = gpu::Widen(module);
  std::lock_guard lock(kernels_mutex_);
  module_kernels_[*out_module].sizes = *std::move(sizes);
  return HAL_SUCCESS;
}

void HipVendor::ModuleUnload(Context& /*context*/, uint64_t module) {
  // Forgotten first: once unloaded, the runtime may hand out its handles again.
  {
    std::lock_guard lock(kernels_mutex_);
    if (const auto found = module_kernels_.find(module); found != module_kernels_.end()) {
      for (const uint64_t function : found->second.functions) function_sizes_.erase(function);
      module_kernels_.erase(found);
    }
  }
  Released(Api().hipModuleUnload(gpu::Narrow<hipModule_t>(module)));
}

hal_result HipVendor::GetFunction(Context& context, uint64_t module, const char* name,
                                  uint64_t* out_function) {
  hipFunction_t function = nullptr;
  if (const hal_result r = HAL_HIP_IN(context, hipModuleGetFunction, &function,
                                      gpu::Narrow<hipModule_t>(module), name)) {
    return r;
  }
  *out_function = gpu::Widen(function);
  std::lock_guard lock(kernels_mutex_);
  const auto found = module_kernels_.find(module);
  if (found == module_kernels_.end()) return HAL_SUCCESS;
  if (const auto kernel = found->second.sizes.find(name); kernel != found->second.sizes.end()) {
    function_sizes_[*out_function] = kernel->second;
    found->second.functions.push_back(*out_function);
  }
  return HAL_SUCCESS;
}

hal_result HipVendor::KernelParamSizes(Context& /*context*/, uint64_t function,
                                       std::vector<size_t>* out_sizes, bool* out_known) {
  std::lock_guard lock(kernels_mutex_);
  const auto found = function_sizes_.find(function);
  *out_known = found != function_sizes_.end();
  if (*out_known) *out_sizes = found->second;
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
