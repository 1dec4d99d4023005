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
class BufferSource;

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
  BufferSource* allocator = nullptr;  // the one to return it to
  MemoryBlock* block = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;  // the allocated (rounded) size
  // A VkBuffer of the buffer's own over exactly its range, made for interop
  // (native_handle) on first request; VK_NULL_HANDLE until then.
  VkBuffer own_buffer = VK_NULL_HANDLE;
  // The block when the buffer alone spans it (imported host memory,
  // host_memory_import.h); null for a range of a sub-allocator's block.
  std::unique_ptr<MemoryBlock> own_block = nullptr;
  VkBuffer vk_buffer() const { return block->buffer; }
  std::byte* host() const { return block->mapped == nullptr ? nullptr : block->mapped + offset; }
};

// What made a buffer, and takes it back: buffer_free and native_handle go
// through it without knowing how the buffer's memory came to be.
class BufferSource {
 public:
  virtual void Free(std::unique_ptr<Buffer> buffer) = 0;
  // A VkBuffer spanning exactly the buffer, for interop (native_handle).
  virtual hal_result OwnBuffer(Buffer& buffer, VkBuffer* out_buffer) = 0;

 protected:
  ~BufferSource() = default;
};

// The create info of every VkBuffer the driver makes: kernels bind it, and
// copies and fills read and write it.
VkBufferCreateInfo BufferCreateInfo(uint64_t size);

// The index of a memory type of `physical` among `allowed_types` that has the
// `required` property flags, one with `preferred` too where there is one;
// HAL_ERROR_UNSUPPORTED where none has `required`.
hal_result FindMemoryType(VkPhysicalDevice physical, uint32_t allowed_types,
                          VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                          uint32_t* out_index);

// Buffers of one memory kind (device-local or host-visible staging).
class SubAllocator final : public BufferSource {
 public:
  SubAllocator(Context& context, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
               uint64_t granularity);
  ~SubAllocator();
  SubAllocator(const SubAllocator&) = delete;
  SubAllocator& operator=(const SubAllocator&) = delete;

  hal_result Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer);
  void Free(std::unique_ptr<Buffer> buffer) override;
  // buffer.own_buffer, created on first call: a VkBuffer bound to the block's
  // memory at the buffer's offset (aliasing the block's VkBuffer), so that
  // code which knows nothing of sub-allocation sees exactly the buffer.
  hal_result OwnBuffer(Buffer& buffer, VkBuffer* out_buffer) override;

 private:
  // Blocks are this size; a larger buffer gets a block of its own.
  static constexpr uint64_t kBlockSize = 64ull << 20;

  hal_result CreateBlock(uint64_t size, MemoryBlock** out_block);
  void DestroyBlock(MemoryBlock* block);

  Context& context_;
  const VkMemoryPropertyFlags required_;
  const VkMemoryPropertyFlags preferred_;
  const uint64_t granularity_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<MemoryBlock>> blocks_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_MEMORY_H_
