// Modules (a VkShaderModule per SPIR-V image) and their kernels (a compute
// pipeline per kernel_get, cached by name).
#ifndef HAL_BACKENDS_VULKAN_VULKAN_MODULE_H_
#define HAL_BACKENDS_VULKAN_VULKAN_MODULE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"
#include "runtime/spirv_interface.h"

namespace hal::vulkan {

class Context;

struct Kernel {
  hal_kernel_signature signature{};
  // A push-descriptor layout, or a plain one where sets are bound instead;
  // the context's (Context::DescriptorSetLayout), not the kernel's own.
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout pipeline_layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

class Module {
 public:
  // HAL_ERROR_INVALID_ARGUMENT for an image that is not SPIR-V or that the
  // device rejects.
  static hal_result Load(Context& context, const void* image, size_t size,
                         std::unique_ptr<Module>* out_module);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The pipeline of entry point `name`; an image whose only GLCompute entry
  // point is GLSL's "main" (the bundle's one image per GLSL kernel) serves it
  // under the kernel's name. Created once, then cached. HAL_ERROR_NOT_FOUND,
  // naming the module's entry points, for a name the image lacks;
  // HAL_ERROR_INVALID_ARGUMENT when the signature disagrees with what the
  // entry point declares (spirv_interface.h).
  hal_result GetKernel(const char* name, const hal_kernel_signature& signature,
                       Kernel** out_kernel);
  VkShaderModule shader() const { return shader_; }

 private:
  Module(Context& context, std::vector<spirv::EntryPointInterface> entry_points)
      : context_(context), entry_points_(std::move(entry_points)) {}
  // The entry point kernel `name` runs (see GetKernel), or null.
  const spirv::EntryPointInterface* FindEntryPoint(std::string_view name) const;
  hal_result CreatePipeline(const std::string& entry_point, const hal_kernel_signature& signature,
                            Kernel* kernel);
  void DestroyKernel(Kernel& kernel);

  Context& context_;
  const std::vector<spirv::EntryPointInterface>
      entry_points_;  // GLCompute entry points of the image
  VkShaderModule shader_ = VK_NULL_HANDLE;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Kernel>> kernels_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_MODULE_H_
