// A context: one VkDevice with its compute queue and memory allocators.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_CONTEXT_H_
#define HAL_BACKENDS_VULKAN_VULKAN_CONTEXT_H_

#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "backends/common/host_range_index.h"
#include "backends/vulkan/host_memory_import.h"
#include "backends/vulkan/vulkan_instance.h"
#include "backends/vulkan/vulkan_memory.h"
#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context {
 public:
  // A context of a virtual device (`isolated`) has robust buffer access
  // where the device offers it (PhysicalDevice::robust_buffer_access*).
  static hal_result Create(const PhysicalDevice& physical, bool isolated,
                           std::unique_ptr<Context>* out_context);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const DeviceSymbols& vk() const { return symbols_; }
  VkDevice device() const { return device_; }
  // The one queue every stream of the context submits to.
  VkQueue queue() const { return queue_; }
  const PhysicalDevice& physical() const { return physical_; }
  uint32_t queue_family() const { return physical_.compute_queue_family; }
  SubAllocator& device_memory() { return *device_memory_; }
  SubAllocator& staging_memory() { return *staging_memory_; }
  // Null where the device offers no host registration
  // (PhysicalDevice::host_import_alignment 0) or lacks its function.
  HostMemoryImporter* host_memory() { return host_memory_.get(); }
  // The host mappings of the buffers handed out with one (HOST_STAGING and
  // registered buffers, not streams' staging rings): a host copy from or to
  // inside one is a copy between buffers (Stream::CopyHostToDevice).
  driver_support::HostRangeIndex<const Buffer>& mapped_buffers() { return mapped_buffers_; }

  // The descriptor set layout of `binding_count` (0 to HAL_MAX_BINDINGS, else
  // HAL_ERROR_INVALID_ARGUMENT)
  // storage buffers, created on first use and kept until the context goes:
  // every kernel with that many bindings shares it, so a descriptor set a
  // stream recycles (DescriptorSetPool) was allocated with a layout that
  // outlives every module, and is compatible with each kernel it is bound to.
  hal_result DescriptorSetLayout(uint32_t binding_count, VkDescriptorSetLayout* out_layout);

  // vkQueueSubmit under the queue's lock: streams share the one queue.
  VkResult Submit(const VkSubmitInfo& submit);

  // Timeline semaphores are recycled rather than destroyed while the device
  // runs: a queue may still be inside the signal operation a host wait has
  // just observed (lavapipe's queue thread is), and destroying the semaphore
  // then races with it. The context destroys them after vkDeviceWaitIdle.
  // Returns false when none is free.
  bool ReuseTimelineSemaphore(VkSemaphore* out_semaphore);
  void RetireTimelineSemaphore(VkSemaphore semaphore);

 private:
  explicit Context(const PhysicalDevice& physical) : physical_(physical) {}
  hal_result Open(bool isolated);

  const PhysicalDevice& physical_;
  DeviceSymbols symbols_;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  std::mutex queue_mutex_;
  std::mutex retired_mutex_;
  std::vector<VkSemaphore> retired_semaphores_;
  std::mutex set_layouts_mutex_;
  std::array<VkDescriptorSetLayout, HAL_MAX_BINDINGS + 1> set_layouts_{};
  std::unique_ptr<SubAllocator> device_memory_;
  std::unique_ptr<SubAllocator> staging_memory_;
  std::unique_ptr<HostMemoryImporter> host_memory_;
  driver_support::HostRangeIndex<const Buffer> mapped_buffers_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_CONTEXT_H_
