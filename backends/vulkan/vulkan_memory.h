// Device memory: a sub-allocator carving buffers out of large VkDeviceMemory
// blocks, so a small buffer costs no vkAllocateMemory. Each block is bound to
// one VkBuffer spanning it; a hal buffer is that VkBuffer plus an offset.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_MEMORY_H_
#define HAL_BACKENDS_VULKAN_VULKAN_MEMORY_H_

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context;
class SubAllocator;

// One VkDeviceMemory with its spanning VkBuffer and its free ranges.
struct MemoryBlock {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;
  uint64_t size = 0;
  std::byte* mapped = nullptr;           // host address when host-visible
  std::map<uint64_t, uint64_t> free;     // offset -> size, coalesced
};

// A hal buffer: a range of a block.
struct Buffer {
  SubAllocator* allocator = nullptr;  // the one to return it to
  MemoryBlock* block = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;  // the allocated (rounded) size
  // A VkBuffer of the buffer's own over exactly its range, made for interop
  // (native_handle) on first request; VK_NULL_HANDLE until then.
  VkBuffer own_buffer = VK_NULL_HANDLE;
  VkBuffer vk_buffer() const { return block->buffer; }
  std::byte* host() const { return block->mapped == nullptr ? nullptr : block->mapped + offset; }
};

// Buffers of one memory kind (device-local or host-visible staging).
class SubAllocator {
 public:
  SubAllocator(Context& context, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
               uint64_t granularity);
  ~SubAllocator();
  SubAllocator(const SubAllocator&) = delete;
  SubAllocator& operator=(const SubAllocator&) = delete;

  hal_result Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer);
  void Free(std::unique_ptr<Buffer> buffer);
  // buffer.own_buffer, created on first call: a VkBuffer bound to the block's
  // memory at the buffer's offset (aliasing the block's VkBuffer), so that
  // code which knows nothing of sub-allocation sees exactly the buffer.
  hal_result OwnBuffer(Buffer& buffer, VkBuffer* out_buffer);

 private:
  // Blocks are this size; a larger buffer gets a block of its own.
  static constexpr uint64_t kBlockSize = 64ull << 20;

  static VkBufferCreateInfo BufferInfo(uint64_t size);
  hal_result CreateBlock(uint64_t size, MemoryBlock** out_block);
  void DestroyBlock(MemoryBlock* block);
  hal_result FindMemoryType(uint32_t allowed_types, uint32_t* out_index) const;

  Context& context_;
  const VkMemoryPropertyFlags required_;
  const VkMemoryPropertyFlags preferred_;
  const uint64_t granularity_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<MemoryBlock>> blocks_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_MEMORY_H_
