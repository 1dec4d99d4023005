#include "backends/vulkan/descriptor_set_pool.h"

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"

namespace hal::vulkan {

DescriptorSetPool::~DescriptorSetPool() {
  // Destroying a pool frees the sets allocated from it.
  for (VkDescriptorPool pool : pools_) {
    context_.vk().vkDestroyDescriptorPool(context_.device(), pool, nullptr);
  }
}

hal_result DescriptorSetPool::AddPool() {
  // Room for the worst case: every set of the pool with the most bindings.
  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                  kSetsPerPool * HAL_MAX_BINDINGS};
  VkDescriptorPoolCreateInfo info{.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  info.maxSets = kSetsPerPool;
  info.poolSizeCount = 1;
  info.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  HAL_VK_RETURN_IF_ERROR(
      context_.vk().vkCreateDescriptorPool(context_.device(), &info, nullptr, &pool));
  pools_.push_back(pool);
  return HAL_SUCCESS;
}

hal_result DescriptorSetPool::Acquire(VkDescriptorSetLayout layout, uint32_t binding_count,
                                      PooledDescriptorSet* out_set) {
  std::vector<VkDescriptorSet>& free = free_[binding_count];
  if (!free.empty()) {
    *out_set = {binding_count, free.back()};
    free.pop_back();
    return HAL_SUCCESS;
  }
  if (pools_.empty()) HAL_RETURN_IF_FAILED(AddPool());
  VkDescriptorSetAllocateInfo info{.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  info.descriptorSetCount = 1;
  info.pSetLayouts = &layout;
  info.descriptorPool = pools_.back();
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkResult result = context_.vk().vkAllocateDescriptorSets(context_.device(), &info, &set);
  if (result == VK_ERROR_OUT_OF_POOL_MEMORY || result == VK_ERROR_FRAGMENTED_POOL) {
    // The newest pool is full: its sets are all in use or waiting to be
    // returned, so take the next one.
    HAL_RETURN_IF_FAILED(AddPool());
    info.descriptorPool = pools_.back();
    result = context_.vk().vkAllocateDescriptorSets(context_.device(), &info, &set);
  }
  if (result != VK_SUCCESS) return FailVk("vkAllocateDescriptorSets", result);
  *out_set = {binding_count, set};
  return HAL_SUCCESS;
}

void DescriptorSetPool::Return(const std::vector<PooledDescriptorSet>& sets) {
  for (const PooledDescriptorSet& set : sets) free_[set.binding_count].push_back(set.set);
}

}  // namespace hal::vulkan
