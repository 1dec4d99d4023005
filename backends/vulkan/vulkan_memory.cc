#include "backends/vulkan/vulkan_memory.h"

#include <algorithm>
#include <string>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"
#include "backends/vulkan/vulkan_instance.h"

namespace hal::vulkan {
namespace {

uint64_t RoundUp(uint64_t value, uint64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

}  // namespace

VkBufferCreateInfo BufferCreateInfo(uint64_t size) {
  VkBufferCreateInfo info{.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  return info;
}

hal_result FindMemoryType(VkPhysicalDevice physical, uint32_t allowed_types,
                          VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                          uint32_t* out_index) {
  VkPhysicalDeviceMemoryProperties memory;
  Instance::Get()->symbols().vkGetPhysicalDeviceMemoryProperties(physical, &memory);
  int fallback = -1;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
    if ((allowed_types & (1u << i)) == 0 || (flags & required) != required) continue;
    if ((flags & preferred) == preferred) {
      *out_index = i;
      return HAL_SUCCESS;
    }
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) {
    return Fail(HAL_ERROR_UNSUPPORTED,
                "no Vulkan memory type has property flags " + std::to_string(required));
  }
  *out_index = static_cast<uint32_t>(fallback);
  return HAL_SUCCESS;
}

SubAllocator::SubAllocator(Context& context, VkMemoryPropertyFlags required,
                           VkMemoryPropertyFlags preferred, uint64_t granularity)
    : context_(context), required_(required), preferred_(preferred), granularity_(granularity) {}

SubAllocator::~SubAllocator() {
  for (const std::unique_ptr<MemoryBlock>& block : blocks_) DestroyBlock(block.get());
}

hal_result SubAllocator::Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer) {
  const uint64_t rounded = RoundUp(size, granularity_);
  std::lock_guard lock(mutex_);
  // First fit among the blocks' free ranges.
  for (const std::unique_ptr<MemoryBlock>& block : blocks_) {
    for (auto range = block->free.begin(); range != block->free.end(); ++range) {
      if (range->second < rounded) continue;
      const uint64_t offset = range->first;
      const uint64_t rest = range->second - rounded;
      block->free.erase(range);
      if (rest > 0) block->free.emplace(offset + rounded, rest);
      *out_buffer = std::make_unique<Buffer>(Buffer{this, block.get(), offset, rounded});
      return HAL_SUCCESS;
    }
  }
  MemoryBlock* block = nullptr;
  HAL_RETURN_IF_FAILED(CreateBlock(std::max(rounded, kBlockSize), &block));
  if (block->size > rounded) block->free.emplace(rounded, block->size - rounded);
  *out_buffer = std::make_unique<Buffer>(Buffer{this, block, 0, rounded});
  return HAL_SUCCESS;
}

void SubAllocator::Free(std::unique_ptr<Buffer> buffer) {
  std::lock_guard lock(mutex_);
  if (buffer->own_buffer != VK_NULL_HANDLE) {
    context_.vk().vkDestroyBuffer(context_.device(), buffer->own_buffer, nullptr);
  }
  MemoryBlock* block = buffer->block;
  auto [inserted, unused] = block->free.emplace(buffer->offset, buffer->size);
  // Coalesce with the following and the preceding free range.
  if (auto next = std::next(inserted);
      next != block->free.end() && inserted->first + inserted->second == next->first) {
    inserted->second += next->second;
    block->free.erase(next);
  }
  if (inserted != block->free.begin()) {
    if (auto previous = std::prev(inserted);
        previous->first + previous->second == inserted->first) {
      previous->second += inserted->second;
      block->free.erase(inserted);
    }
  }
  // An empty block goes back to the device, so freed memory shows as free.
  if (block->free.size() == 1 && block->free.begin()->second == block->size) {
    DestroyBlock(block);
    std::erase_if(blocks_, [block](const auto& owned) { return owned.get() == block; });
  }
}

hal_result SubAllocator::OwnBuffer(Buffer& buffer, VkBuffer* out_buffer) {
  std::lock_guard lock(mutex_);
  if (buffer.own_buffer == VK_NULL_HANDLE) {
    const DeviceSymbols& vk = context_.vk();
    const VkBufferCreateInfo info = BufferCreateInfo(buffer.size);
    VkBuffer own = VK_NULL_HANDLE;
    HAL_VK_RETURN_IF_ERROR(vk.vkCreateBuffer(context_.device(), &info, nullptr, &own));
    VkMemoryRequirements requirements{};
    vk.vkGetBufferMemoryRequirements(context_.device(), own, &requirements);
    // Offsets are multiples of the allocation granularity, itself at least
    // the storage-buffer alignment; a device asking more is told so.
    if (buffer.offset % requirements.alignment != 0) {
      vk.vkDestroyBuffer(context_.device(), own, nullptr);
      return Fail(HAL_ERROR_UNSUPPORTED, "the buffer starts at offset " +
                                             std::to_string(buffer.offset) +
                                             " of its memory block, not a multiple of the " +
                                             std::to_string(requirements.alignment) +
                                             "-byte alignment a VkBuffer of its own needs");
    }
    if (const VkResult result =
            vk.vkBindBufferMemory(context_.device(), own, buffer.block->memory, buffer.offset);
        result != VK_SUCCESS) {
      vk.vkDestroyBuffer(context_.device(), own, nullptr);
      return FailVk("vkBindBufferMemory", result);
    }
    buffer.own_buffer = own;
  }
  *out_buffer = buffer.own_buffer;
  return HAL_SUCCESS;
}

hal_result SubAllocator::CreateBlock(uint64_t size, MemoryBlock** out_block) {
  const DeviceSymbols& vk = context_.vk();
  auto block = std::make_unique<MemoryBlock>();
  block->size = size;
  const VkBufferCreateInfo buffer_info = BufferCreateInfo(size);
  // Any failure from here on releases what was made (DestroyBlock skips nulls).
  hal_result result = HAL_SUCCESS;
  if (const VkResult vk_result =
          vk.vkCreateBuffer(context_.device(), &buffer_info, nullptr, &block->buffer);
      vk_result != VK_SUCCESS) {
    result = FailVk("vkCreateBuffer of " + std::to_string(size) + " bytes", vk_result,
                    HAL_ERROR_OUT_OF_MEMORY);
  }
  VkMemoryRequirements requirements{};
  uint32_t type_index = 0;
  if (result == HAL_SUCCESS) {
    vk.vkGetBufferMemoryRequirements(context_.device(), block->buffer, &requirements);
    result = FindMemoryType(context_.physical().handle, requirements.memoryTypeBits, required_,
                            preferred_, &type_index);
  }
  if (result == HAL_SUCCESS) {
    VkMemoryAllocateInfo allocate{.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = type_index;
    if (const VkResult vk_result =
            vk.vkAllocateMemory(context_.device(), &allocate, nullptr, &block->memory);
        vk_result != VK_SUCCESS) {
      result = FailVk("vkAllocateMemory of " + std::to_string(requirements.size) + " bytes",
                      vk_result, HAL_ERROR_OUT_OF_MEMORY);
    }
  }
  if (result == HAL_SUCCESS) {
    if (const VkResult vk_result =
            vk.vkBindBufferMemory(context_.device(), block->buffer, block->memory, 0);
        vk_result != VK_SUCCESS) {
      result = FailVk("vkBindBufferMemory", vk_result);
    }
  }
  if (result == HAL_SUCCESS && (required_ & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
    void* mapped = nullptr;
    if (const VkResult vk_result =
            vk.vkMapMemory(context_.device(), block->memory, 0, VK_WHOLE_SIZE, 0, &mapped);
        vk_result != VK_SUCCESS) {
      result = FailVk("vkMapMemory", vk_result, HAL_ERROR_OUT_OF_MEMORY);
    }
    block->mapped = static_cast<std::byte*>(mapped);
  }
  if (result != HAL_SUCCESS) {
    DestroyBlock(block.get());
    return result;
  }
  *out_block = block.get();
  blocks_.push_back(std::move(block));
  return HAL_SUCCESS;
}

void SubAllocator::DestroyBlock(MemoryBlock* block) {
  const DeviceSymbols& vk = context_.vk();
  if (block->buffer != VK_NULL_HANDLE)
    vk.vkDestroyBuffer(context_.device(), block->buffer, nullptr);
  // Freeing mapped memory unmaps it.
  if (block->memory != VK_NULL_HANDLE) vk.vkFreeMemory(context_.device(), block->memory, nullptr);
}

}  // namespace hal::vulkan
