// The Vulkan entry points the driver uses, resolved at run time from
// libvulkan.so.1 (never linked, so the driver loads on machines without
// Vulkan and reports it unavailable). One X-macro list per dispatch level,
// as IREE does: adding a function is one line.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_SYMBOLS_H_
#define HAL_BACKENDS_VULKAN_VULKAN_SYMBOLS_H_

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <string>

// Resolved with vkGetInstanceProcAddr(NULL, ...).
#define HAL_VK_GLOBAL_SYMBOLS(X)        \
  X(vkCreateInstance)                   \
  X(vkEnumerateInstanceLayerProperties) \
  X(vkEnumerateInstanceExtensionProperties)

// Resolved with vkGetInstanceProcAddr(instance, ...). Optional ones
// (extensions) may stay null.
#define HAL_VK_INSTANCE_SYMBOLS(X)            \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties)            \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkGetPhysicalDeviceFeatures2)             \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkGetPhysicalDeviceMemoryProperties2)     \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkEnumerateDeviceExtensionProperties)     \
  X(vkCreateDevice)                           \
  X(vkGetDeviceProcAddr)
#define HAL_VK_OPTIONAL_INSTANCE_SYMBOLS(X) \
  X(vkCreateDebugUtilsMessengerEXT)         \
  X(vkDestroyDebugUtilsMessengerEXT)

// Resolved with vkGetDeviceProcAddr(device, ...).
#define HAL_VK_DEVICE_SYMBOLS(X)   \
  X(vkDestroyDevice)               \
  X(vkGetDeviceQueue)              \
  X(vkDeviceWaitIdle)              \
  X(vkAllocateMemory)              \
  X(vkFreeMemory)                  \
  X(vkMapMemory)                   \
  X(vkUnmapMemory)                 \
  X(vkCreateBuffer)                \
  X(vkDestroyBuffer)               \
  X(vkGetBufferMemoryRequirements) \
  X(vkBindBufferMemory)            \
  X(vkCreateCommandPool)           \
  X(vkDestroyCommandPool)          \
  X(vkAllocateCommandBuffers)      \
  X(vkResetCommandBuffer)          \
  X(vkBeginCommandBuffer)          \
  X(vkEndCommandBuffer)            \
  X(vkQueueSubmit)                 \
  X(vkCreateSemaphore)             \
  X(vkDestroySemaphore)            \
  X(vkWaitSemaphores)              \
  X(vkGetSemaphoreCounterValue)    \
  X(vkCreateQueryPool)             \
  X(vkDestroyQueryPool)            \
  X(vkGetQueryPoolResults)         \
  X(vkCmdResetQueryPool)           \
  X(vkCmdWriteTimestamp)           \
  X(vkCmdPipelineBarrier)          \
  X(vkCmdCopyBuffer)               \
  X(vkCmdFillBuffer)               \
  X(vkCmdBindPipeline)             \
  X(vkCmdPushConstants)            \
  X(vkCmdDispatch)                 \
  X(vkCreateShaderModule)          \
  X(vkDestroyShaderModule)         \
  X(vkCreateDescriptorSetLayout)   \
  X(vkDestroyDescriptorSetLayout)  \
  X(vkCreatePipelineLayout)        \
  X(vkDestroyPipelineLayout)       \
  X(vkCreateComputePipelines)      \
  X(vkDestroyPipeline)             \
  X(vkCreateDescriptorPool)        \
  X(vkDestroyDescriptorPool)       \
  X(vkAllocateDescriptorSets)      \
  X(vkUpdateDescriptorSets)        \
  X(vkCmdBindDescriptorSets)
// Null where the device lacks the extension (VK_KHR_push_descriptor,
// VK_EXT_external_memory_host).
#define HAL_VK_OPTIONAL_DEVICE_SYMBOLS(X) \
  X(vkCmdPushDescriptorSetKHR)            \
  X(vkGetMemoryHostPointerPropertiesEXT)

namespace hal::vulkan {

#define HAL_VK_DECLARE(name) PFN_##name name = nullptr;

// Global and instance-level functions, owned by the driver's one instance.
struct InstanceSymbols {
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
  HAL_VK_GLOBAL_SYMBOLS(HAL_VK_DECLARE)
  HAL_VK_INSTANCE_SYMBOLS(HAL_VK_DECLARE)
  HAL_VK_OPTIONAL_INSTANCE_SYMBOLS(HAL_VK_DECLARE)
};

// Device-level functions of one VkDevice (one per context).
struct DeviceSymbols {
  HAL_VK_DEVICE_SYMBOLS(HAL_VK_DECLARE)
  HAL_VK_OPTIONAL_DEVICE_SYMBOLS(HAL_VK_DECLARE)
};

#undef HAL_VK_DECLARE

// Resolves the global functions from vkGetInstanceProcAddr; false with the
// missing name in `*missing` if one is absent.
bool LoadGlobalSymbols(InstanceSymbols& symbols, std::string* missing);
bool LoadInstanceSymbols(VkInstance instance, InstanceSymbols& symbols, std::string* missing);
bool LoadDeviceSymbols(const InstanceSymbols& instance_symbols, VkDevice device,
                       DeviceSymbols& symbols, std::string* missing);

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_SYMBOLS_H_
