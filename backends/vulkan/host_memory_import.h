// Host registration (HAL_CAPABILITY_HOST_REGISTRATION) through
// VK_EXT_external_memory_host: the caller's pages imported as VkDeviceMemory
// and bound to a VkBuffer of their own, so copies, fills and dispatches read
// and write the caller's memory in place and no device memory is taken.
#ifndef HAL_BACKENDS_VULKAN_HOST_MEMORY_IMPORT_H_
#define HAL_BACKENDS_VULKAN_HOST_MEMORY_IMPORT_H_

#include <cstdint>
#include <memory>

#include "backends/vulkan/vulkan_memory.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class HostMemoryImporter final : public BufferSource {
 public:
  // `alignment`: the device's minImportedHostPointerAlignment.
  HostMemoryImporter(Context& context, uint64_t alignment)
      : context_(context), alignment_(alignment) {}
  HostMemoryImporter(const HostMemoryImporter&) = delete;
  HostMemoryImporter& operator=(const HostMemoryImporter&) = delete;

  // A buffer over [host, host + size), which must stay valid until Free.
  // HAL_ERROR_INVALID_ARGUMENT for a null host, a size of 0, or an address or
  // size not a multiple of the alignment; nothing is left behind on failure.
  hal_result Register(void* host, uint64_t size, std::unique_ptr<Buffer>* out_buffer);
  // Destroys the VkBuffer and frees the imported memory; the caller's pages
  // are left as they are.
  void Free(std::unique_ptr<Buffer> buffer) override;
  // The buffer's VkBuffer, which spans exactly it.
  hal_result OwnBuffer(Buffer& buffer, VkBuffer* out_buffer) override;

 private:
  hal_result Import(void* host, uint64_t size, MemoryBlock& block);
  void Release(MemoryBlock& block);

  Context& context_;
  const uint64_t alignment_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_HOST_MEMORY_IMPORT_H_
