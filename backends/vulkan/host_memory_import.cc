#include "backends/vulkan/host_memory_import.h"

#include <string>
#include <utility>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"

namespace hal::vulkan {
namespace {

constexpr VkExternalMemoryHandleTypeFlagBits kHostAllocation =
    VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;

}  // namespace

hal_result HostMemoryImporter::Register(void* host, uint64_t size,
                                        std::unique_ptr<Buffer>* out_buffer) {
  if (host == nullptr || size == 0) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                "host registration needs a non-null address and a size of at least 1 byte");
  }
  if (reinterpret_cast<uintptr_t>(host) % alignment_ != 0 || size % alignment_ != 0) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                "the Vulkan device imports host memory at addresses and sizes that are "
                "multiples of " +
                    std::to_string(alignment_) + " bytes (minImportedHostPointerAlignment); got " +
                    std::to_string(size) + " bytes at address " +
                    std::to_string(reinterpret_cast<uintptr_t>(host)));
  }
  auto block = std::make_unique<MemoryBlock>();
  if (const hal_result result = Import(host, size, *block); result != HAL_SUCCESS) {
    Release(*block);
    return result;
  }
  auto buffer = std::make_unique<Buffer>(Buffer{this, block.get(), 0, size});
  buffer->own_block = std::move(block);
  *out_buffer = std::move(buffer);
  return HAL_SUCCESS;
}

hal_result HostMemoryImporter::Import(void* host, uint64_t size, MemoryBlock& block) {
  const DeviceSymbols& vk = context_.vk();
  const VkDevice device = context_.device();
  block.size = size;
  VkMemoryHostPointerPropertiesEXT pointer{
      .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
  if (const VkResult result =
          vk.vkGetMemoryHostPointerPropertiesEXT(device, kHostAllocation, host, &pointer);
      result != VK_SUCCESS) {
    // VK_ERROR_INVALID_EXTERNAL_HANDLE: memory the device cannot import.
    return FailVk("vkGetMemoryHostPointerPropertiesEXT", result, HAL_ERROR_INVALID_ARGUMENT);
  }
  VkExternalMemoryBufferCreateInfo external{
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  external.handleTypes = kHostAllocation;
  VkBufferCreateInfo buffer_info = BufferCreateInfo(size);
  buffer_info.pNext = &external;
  if (const VkResult result = vk.vkCreateBuffer(device, &buffer_info, nullptr, &block.buffer);
      result != VK_SUCCESS) {
    return FailVk("vkCreateBuffer of " + std::to_string(size) + " bytes", result,
                  HAL_ERROR_OUT_OF_MEMORY);
  }
  VkMemoryRequirements requirements{};
  vk.vkGetBufferMemoryRequirements(device, block.buffer, &requirements);
  // The imported allocation is exactly the caller's range; a device wanting
  // more for the buffer cannot bind it there.
  if (requirements.size > size) {
    return Fail(HAL_ERROR_UNSUPPORTED, "a Vulkan buffer of " + std::to_string(size) +
                                           " bytes needs " + std::to_string(requirements.size) +
                                           " bytes of memory, more than the registered range");
  }
  // The caller reads and writes the pages without flushes: coherent memory.
  uint32_t type_index = 0;
  HAL_RETURN_IF_FAILED(FindMemoryType(
      context_.physical().handle, requirements.memoryTypeBits & pointer.memoryTypeBits,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      VK_MEMORY_PROPERTY_HOST_CACHED_BIT, &type_index));
  VkImportMemoryHostPointerInfoEXT import{
      .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
  import.handleType = kHostAllocation;
  import.pHostPointer = host;
  VkMemoryAllocateInfo allocate{.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocate.pNext = &import;
  allocate.allocationSize = size;
  allocate.memoryTypeIndex = type_index;
  if (const VkResult result = vk.vkAllocateMemory(device, &allocate, nullptr, &block.memory);
      result != VK_SUCCESS) {
    return FailVk("vkAllocateMemory importing " + std::to_string(size) + " bytes of host memory",
                  result, HAL_ERROR_INVALID_ARGUMENT);
  }
  HAL_VK_RETURN_IF_ERROR(vk.vkBindBufferMemory(device, block.buffer, block.memory, 0));
  block.mapped = static_cast<std::byte*>(host);
  return HAL_SUCCESS;
}

void HostMemoryImporter::Release(MemoryBlock& block) {
  const DeviceSymbols& vk = context_.vk();
  if (block.buffer != VK_NULL_HANDLE) vk.vkDestroyBuffer(context_.device(), block.buffer, nullptr);
  // Freeing imported memory releases the import; the pages stay the caller's.
  if (block.memory != VK_NULL_HANDLE) vk.vkFreeMemory(context_.device(), block.memory, nullptr);
}

void HostMemoryImporter::Free(std::unique_ptr<Buffer> buffer) { Release(*buffer->own_block); }

hal_result HostMemoryImporter::OwnBuffer(Buffer& buffer, VkBuffer* out_buffer) {
  *out_buffer = buffer.vk_buffer();
  return HAL_SUCCESS;
}

}  // namespace hal::vulkan
