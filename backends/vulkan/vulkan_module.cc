#include "backends/vulkan/vulkan_module.h"

#include <cstring>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"
#include "runtime/spirv_interface.h"

namespace hal::vulkan {
namespace {

constexpr uint32_t kSpirvMagic = 0x07230203;
constexpr uint32_t kSpirvHeaderWords = 5;
constexpr std::string_view kGlslEntryPoint = "main";

}  // namespace

hal_result Module::Load(Context& context, const void* image, size_t size,
                        std::unique_ptr<Module>* out_module) {
  if (size < kSpirvHeaderWords * sizeof(uint32_t) || size % sizeof(uint32_t) != 0) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                "a SPIR-V image is a whole number of 32-bit words, at least 5; got " +
                    std::to_string(size) + " bytes");
  }
  std::vector<uint32_t> words(size / sizeof(uint32_t));
  std::memcpy(words.data(), image, size);
  if (words[0] != kSpirvMagic) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT, "the image is not SPIR-V (no magic number 0x07230203)");
  }
  // Validation (SPIRV-Tools, the interface check) is the runtime's, done once
  // in Device::LoadKernel before any driver sees the image.
  std::vector<spirv::EntryPointInterface> entry_points;
  if (!spirv::ReadComputeEntryPoints(words, &entry_points) || entry_points.empty()) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                "the SPIR-V image is malformed or has no GLCompute entry point");
  }
  std::unique_ptr<Module> module(new Module(context, std::move(entry_points)));
  VkShaderModuleCreateInfo info{.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  info.codeSize = size;
  info.pCode = words.data();
  if (const VkResult result =
          context.vk().vkCreateShaderModule(context.device(), &info, nullptr, &module->shader_);
      result != VK_SUCCESS) {
    return FailVk("vkCreateShaderModule", result, HAL_ERROR_INVALID_ARGUMENT);
  }
  *out_module = std::move(module);
  return HAL_SUCCESS;
}

Module::~Module() {
  for (auto& [name, kernel] : kernels_) DestroyKernel(*kernel);
  if (shader_ != VK_NULL_HANDLE) {
    context_.vk().vkDestroyShaderModule(context_.device(), shader_, nullptr);
  }
}

hal_result Module::GetKernel(const char* name, const hal_kernel_signature& signature,
                             Kernel** out_kernel) {
  std::lock_guard lock(mutex_);
  if (auto cached = kernels_.find(name); cached != kernels_.end()) {
    *out_kernel = cached->second.get();
    return HAL_SUCCESS;
  }
  const spirv::EntryPointInterface* entry_point = FindEntryPoint(name);
  if (entry_point == nullptr) {
    std::string names;
    for (const spirv::EntryPointInterface& candidate : entry_points_) {
      names += (names.empty() ? "\"" : ", \"") + candidate.name + "\"";
    }
    return Fail(HAL_ERROR_NOT_FOUND, "the SPIR-V module has no GLCompute entry point \"" +
                                         std::string(name) + "\"; it has " + names);
  }
  if (std::string mismatch = spirv::CheckSignature(*entry_point, signature); !mismatch.empty()) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT, mismatch);
  }
  auto kernel = std::make_unique<Kernel>();
  kernel->signature = signature;
  if (const hal_result result = CreatePipeline(entry_point->name, signature, kernel.get());
      result != HAL_SUCCESS) {
    DestroyKernel(*kernel);
    return result;
  }
  *out_kernel = kernel.get();
  kernels_.emplace(name, std::move(kernel));
  return HAL_SUCCESS;
}

const spirv::EntryPointInterface* Module::FindEntryPoint(std::string_view name) const {
  for (const spirv::EntryPointInterface& entry_point : entry_points_) {
    if (entry_point.name == name) return &entry_point;
  }
  // GLSL names every entry point "main", so the bundle's image of one GLSL
  // kernel (docs/kernel-bundles.md) serves its kernel under the kernel's name.
  if (entry_points_.size() == 1 && entry_points_[0].name == kGlslEntryPoint) {
    return &entry_points_[0];
  }
  return nullptr;
}

hal_result Module::CreatePipeline(const std::string& entry_point,
                                  const hal_kernel_signature& signature, Kernel* kernel) {
  const DeviceSymbols& vk = context_.vk();
  HAL_RETURN_IF_FAILED(context_.DescriptorSetLayout(signature.binding_count, &kernel->set_layout));

  const VkPushConstantRange push_range{VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                       signature.push_constant_size};
  VkPipelineLayoutCreateInfo layout_info{.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &kernel->set_layout;
  layout_info.pushConstantRangeCount = signature.push_constant_size > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &push_range;
  HAL_VK_RETURN_IF_ERROR(vk.vkCreatePipelineLayout(context_.device(), &layout_info, nullptr,
                                                   &kernel->pipeline_layout));

  VkComputePipelineCreateInfo pipeline_info{.sType =
                                                VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipeline_info.stage =
      VkPipelineShaderStageCreateInfo{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                                      nullptr,
                                      0,
                                      VK_SHADER_STAGE_COMPUTE_BIT,
                                      shader_,
                                      entry_point.c_str(),
                                      nullptr};
  pipeline_info.layout = kernel->pipeline_layout;
  if (const VkResult result = vk.vkCreateComputePipelines(
          context_.device(), VK_NULL_HANDLE, 1, &pipeline_info, nullptr, &kernel->pipeline);
      result != VK_SUCCESS) {
    return FailVk("vkCreateComputePipelines for entry point \"" + entry_point + "\"", result,
                  HAL_ERROR_INVALID_ARGUMENT);
  }
  return HAL_SUCCESS;
}

void Module::DestroyKernel(Kernel& kernel) {
  const DeviceSymbols& vk = context_.vk();
  if (kernel.pipeline != VK_NULL_HANDLE) {
    vk.vkDestroyPipeline(context_.device(), kernel.pipeline, nullptr);
  }
  if (kernel.pipeline_layout != VK_NULL_HANDLE) {
    vk.vkDestroyPipelineLayout(context_.device(), kernel.pipeline_layout, nullptr);
  }
}

}  // namespace hal::vulkan
