// The benchmarks' baselines: plain Vulkan, written directly against the API in
// the same process as hal. This helper only sets up (instance, device, one
// queue, memory, a compute pipeline); the measured work is recorded and
// submitted by the benchmark itself through vk(). libvulkan.so.1 is opened at
// run time and every entry point resolved through vkGetInstanceProcAddr, as
// hal's driver does: nothing in the project links libvulkan. The entry points
// are the bench's own X-macro lists; the driver's are private to it.
#ifndef HAL_BENCH_RAW_VULKAN_H_
#define HAL_BENCH_RAW_VULKAN_H_

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

// Resolved with vkGetInstanceProcAddr(NULL, ...).
#define HAL_BENCH_VK_GLOBAL_SYMBOLS(X) X(vkCreateInstance)

// Resolved with vkGetInstanceProcAddr(instance, ...).
#define HAL_BENCH_VK_INSTANCE_SYMBOLS(X)      \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkCreateDevice)                           \
  X(vkGetDeviceProcAddr)

// Resolved with vkGetDeviceProcAddr(device, ...).
#define HAL_BENCH_VK_DEVICE_SYMBOLS(X) \
  X(vkDestroyDevice)                   \
  X(vkGetDeviceQueue)                  \
  X(vkDeviceWaitIdle)                  \
  X(vkAllocateMemory)                  \
  X(vkFreeMemory)                      \
  X(vkMapMemory)                       \
  X(vkCreateBuffer)                    \
  X(vkDestroyBuffer)                   \
  X(vkGetBufferMemoryRequirements)     \
  X(vkBindBufferMemory)                \
  X(vkCreateCommandPool)               \
  X(vkDestroyCommandPool)              \
  X(vkAllocateCommandBuffers)          \
  X(vkBeginCommandBuffer)              \
  X(vkEndCommandBuffer)                \
  X(vkQueueSubmit)                     \
  X(vkCreateSemaphore)                 \
  X(vkDestroySemaphore)                \
  X(vkWaitSemaphores)                  \
  X(vkCmdPipelineBarrier)              \
  X(vkCmdCopyBuffer)                   \
  X(vkCmdBindPipeline)                 \
  X(vkCmdDispatch)                     \
  X(vkCreateShaderModule)              \
  X(vkDestroyShaderModule)             \
  X(vkCreatePipelineLayout)            \
  X(vkDestroyPipelineLayout)           \
  X(vkCreateComputePipelines)          \
  X(vkDestroyPipeline)

namespace hal::bench {

struct RawVulkanSymbols {
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
#define X(name) PFN_##name name = nullptr;
  HAL_BENCH_VK_GLOBAL_SYMBOLS(X)
  HAL_BENCH_VK_INSTANCE_SYMBOLS(X)
  HAL_BENCH_VK_DEVICE_SYMBOLS(X)
#undef X
};

// A buffer bound to memory of its own; `mapped` is its host address when the
// memory is host-visible (mapped once, for the buffer's life).
struct RawBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  std::byte* mapped = nullptr;
};

// One VkDevice with one compute queue. Everything made through it lives until
// it is destroyed, which first waits for the device to be idle.
class RawVulkan {
 public:
  // The physical device whose deviceUUID is `device_uuid` (the device hal
  // selected, so both sides run on the same one), with a Vulkan 1.2 instance
  // and timeline semaphores enabled. The queue is of the family hal's driver
  // picks: a compute-only one when there is one, else any with compute.
  // Unavailable, with the reason, when Vulkan or the device is missing.
  static absl::StatusOr<std::unique_ptr<RawVulkan>> Open(
      const std::array<uint8_t, 16>& device_uuid);
  ~RawVulkan();
  RawVulkan(const RawVulkan&) = delete;
  RawVulkan& operator=(const RawVulkan&) = delete;

  const RawVulkanSymbols& vk() const { return vk_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }

  // A buffer usable as transfer source and destination, in memory that has
  // every `required` property flag, and the `preferred` ones when a memory
  // type has them too (HOST_CACHED for staging that is read back, say).
  absl::StatusOr<RawBuffer> CreateBuffer(uint64_t size, VkMemoryPropertyFlags required,
                                         VkMemoryPropertyFlags preferred);
  // A compute pipeline of the single entry point "main" of `spirv`, with an
  // empty layout (no descriptors, no push constants).
  absl::StatusOr<VkPipeline> CreateComputePipeline(absl::Span<const uint8_t> spirv);
  // A pool of the queue's family whose command buffers are reset by
  // vkBeginCommandBuffer, and `count` primary command buffers from it.
  absl::StatusOr<std::vector<VkCommandBuffer>> CreateCommandBuffers(uint32_t count);
  absl::StatusOr<VkSemaphore> CreateTimelineSemaphore();

  // vkBeginCommandBuffer for one submission (which resets the buffer), and
  // vkEndCommandBuffer.
  absl::Status Begin(VkCommandBuffer command_buffer) const;
  absl::Status End(VkCommandBuffer command_buffer) const;
  // Blocks until `semaphore` reaches `value`.
  absl::Status Wait(VkSemaphore semaphore, uint64_t value) const;
  // Submits `command_buffer`, which signals `semaphore` to `value` when done.
  absl::Status Submit(VkCommandBuffer command_buffer, VkSemaphore semaphore, uint64_t value) const;

 private:
  RawVulkan() = default;
  absl::Status LoadLibrary();
  absl::Status CreateInstance();
  absl::Status CreateDevice(const std::array<uint8_t, 16>& device_uuid);
  absl::StatusOr<uint32_t> FindMemoryType(uint32_t allowed_types, VkMemoryPropertyFlags required,
                                          VkMemoryPropertyFlags preferred) const;

  void* library_ = nullptr;
  RawVulkanSymbols vk_;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  std::vector<RawBuffer> buffers_;
  std::vector<VkPipelineLayout> pipeline_layouts_;
  std::vector<VkPipeline> pipelines_;
  std::vector<VkCommandPool> command_pools_;
  std::vector<VkSemaphore> semaphores_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_RAW_VULKAN_H_
