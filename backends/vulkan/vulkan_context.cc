#include "backends/vulkan/vulkan_context.h"

#include <vector>

#include "backends/vulkan/vulkan_error.h"

namespace hal::vulkan {

hal_result Context::Create(const PhysicalDevice& physical, bool isolated,
                           std::unique_ptr<Context>* out_context) {
  std::unique_ptr<Context> context(new Context(physical));
  HAL_RETURN_IF_FAILED(context->Open(isolated));
  *out_context = std::move(context);
  return HAL_SUCCESS;
}

hal_result Context::Open(bool isolated) {
  const InstanceSymbols& instance = Instance::Get()->symbols();
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = physical_.compute_queue_family;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  std::vector<const char*> extensions;
  if (physical_.push_descriptors) extensions.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  if (physical_.has_memory_budget) extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (physical_.host_import_alignment != 0) {
    extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  }
  VkPhysicalDeviceVulkan12Features features12{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  features12.timelineSemaphore = VK_TRUE;
  VkPhysicalDeviceFeatures2 features{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &features12;
  VkPhysicalDeviceRobustness2FeaturesEXT robustness2{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  if (isolated && physical_.robust_buffer_access) {
    features.features.robustBufferAccess = VK_TRUE;
    if (physical_.robust_buffer_access2) {
      robustness2.robustBufferAccess2 = VK_TRUE;
      features12.pNext = &robustness2;
      extensions.push_back(VK_EXT_ROBUSTNESS_2_EXTENSION_NAME);
    }
  }
  VkDeviceCreateInfo info{.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &features;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue_info;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  HAL_VK_RETURN_IF_ERROR(instance.vkCreateDevice(physical_.handle, &info, nullptr, &device_));
  std::string missing;
  if (!LoadDeviceSymbols(instance, device_, symbols_, &missing)) {
    return Fail(HAL_ERROR_UNAVAILABLE, "the Vulkan device lacks " + missing);
  }
  symbols_.vkGetDeviceQueue(device_, physical_.compute_queue_family, 0, &queue_);
  const uint64_t granularity = physical_.properties.allocation_granularity;
  device_memory_ =
      std::make_unique<SubAllocator>(*this, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, granularity);
  staging_memory_ = std::make_unique<SubAllocator>(
      *this, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      VK_MEMORY_PROPERTY_HOST_CACHED_BIT, granularity);
  if (physical_.host_import_alignment != 0 &&
      symbols_.vkGetMemoryHostPointerPropertiesEXT != nullptr) {
    host_memory_ = std::make_unique<HostMemoryImporter>(*this, physical_.host_import_alignment);
  }
  return HAL_SUCCESS;
}

Context::~Context() {
  if (device_ == VK_NULL_HANDLE) return;
  symbols_.vkDeviceWaitIdle(device_);
  for (VkSemaphore semaphore : retired_semaphores_) {
    symbols_.vkDestroySemaphore(device_, semaphore, nullptr);
  }
  for (VkDescriptorSetLayout layout : set_layouts_) {
    if (layout != VK_NULL_HANDLE) symbols_.vkDestroyDescriptorSetLayout(device_, layout, nullptr);
  }
  device_memory_.reset();
  staging_memory_.reset();
  symbols_.vkDestroyDevice(device_, nullptr);
}

VkResult Context::Submit(const VkSubmitInfo& submit) {
  std::lock_guard lock(queue_mutex_);
  return symbols_.vkQueueSubmit(queue_, 1, &submit, VK_NULL_HANDLE);
}

hal_result Context::DescriptorSetLayout(uint32_t binding_count,
                                        VkDescriptorSetLayout* out_layout) {
  if (binding_count > HAL_MAX_BINDINGS) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                "a kernel has at most " + std::to_string(HAL_MAX_BINDINGS) + " bindings; got " +
                    std::to_string(binding_count));
  }
  std::lock_guard lock(set_layouts_mutex_);
  VkDescriptorSetLayout& layout = set_layouts_[binding_count];
  if (layout == VK_NULL_HANDLE) {
    VkDescriptorSetLayoutBinding bindings[HAL_MAX_BINDINGS];
    for (uint32_t i = 0; i < binding_count; ++i) {
      bindings[i] = VkDescriptorSetLayoutBinding{i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                                 VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    }
    VkDescriptorSetLayoutCreateInfo info{.sType =
                                             VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    if (physical_.push_descriptors) {
      info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    }
    info.bindingCount = binding_count;
    info.pBindings = bindings;
    HAL_VK_RETURN_IF_ERROR(symbols_.vkCreateDescriptorSetLayout(device_, &info, nullptr, &layout));
  }
  *out_layout = layout;
  return HAL_SUCCESS;
}

bool Context::ReuseTimelineSemaphore(VkSemaphore* out_semaphore) {
  std::lock_guard lock(retired_mutex_);
  if (retired_semaphores_.empty()) return false;
  *out_semaphore = retired_semaphores_.back();
  retired_semaphores_.pop_back();
  return true;
}

void Context::RetireTimelineSemaphore(VkSemaphore semaphore) {
  std::lock_guard lock(retired_mutex_);
  retired_semaphores_.push_back(semaphore);
}

}  // namespace hal::vulkan
