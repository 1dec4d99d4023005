#include "bench/raw_vulkan.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"

namespace hal::bench {
namespace {

constexpr char kLibraryName[] = "libvulkan.so.1";

absl::Status VkError(absl::string_view call, VkResult result) {
  return absl::InternalError(absl::StrCat(call, " failed: VkResult ", result));
}

// Resolves entry point `name` with `resolve(handle, name)`.
template <typename Resolver, typename Handle, typename Function>
absl::Status Resolve(Resolver resolve, Handle handle, const char* name, Function& function) {
  function = reinterpret_cast<Function>(resolve(handle, name));
  if (function == nullptr) {
    return absl::UnavailableError(absl::StrCat(kLibraryName, " does not provide ", name));
  }
  return absl::OkStatus();
}

}  // namespace

#define HAL_BENCH_VK_RETURN_IF_ERROR(call)                          \
  if (const VkResult vk_result = (call); vk_result != VK_SUCCESS) { \
    return VkError(#call, vk_result);                               \
  }

absl::StatusOr<std::unique_ptr<RawVulkan>> RawVulkan::Open(
    const std::array<uint8_t, 16>& device_uuid) {
  std::unique_ptr<RawVulkan> vulkan(new RawVulkan());
  HAL_RETURN_IF_ERROR(vulkan->LoadLibrary());
  HAL_RETURN_IF_ERROR(vulkan->CreateInstance());
  HAL_RETURN_IF_ERROR(vulkan->CreateDevice(device_uuid));
  return vulkan;
}

RawVulkan::~RawVulkan() {
  if (device_ != VK_NULL_HANDLE) {
    vk_.vkDeviceWaitIdle(device_);
    for (VkSemaphore semaphore : semaphores_) vk_.vkDestroySemaphore(device_, semaphore, nullptr);
    // Destroying a pool frees its command buffers.
    for (VkCommandPool pool : command_pools_) vk_.vkDestroyCommandPool(device_, pool, nullptr);
    for (VkPipeline pipeline : pipelines_) vk_.vkDestroyPipeline(device_, pipeline, nullptr);
    for (VkPipelineLayout layout : pipeline_layouts_) {
      vk_.vkDestroyPipelineLayout(device_, layout, nullptr);
    }
    // Freeing mapped memory unmaps it.
    for (const RawBuffer& buffer : buffers_) {
      vk_.vkDestroyBuffer(device_, buffer.buffer, nullptr);
      vk_.vkFreeMemory(device_, buffer.memory, nullptr);
    }
    vk_.vkDestroyDevice(device_, nullptr);
  }
  if (instance_ != VK_NULL_HANDLE) vk_.vkDestroyInstance(instance_, nullptr);
  if (library_ != nullptr) dlclose(library_);
}

absl::Status RawVulkan::LoadLibrary() {
  library_ = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) return absl::UnavailableError(dlerror());
  HAL_RETURN_IF_ERROR(Resolve(dlsym, library_, "vkGetInstanceProcAddr", vk_.vkGetInstanceProcAddr));
#define X(name) \
  HAL_RETURN_IF_ERROR(Resolve(vk_.vkGetInstanceProcAddr, VK_NULL_HANDLE, #name, vk_.name));
  HAL_BENCH_VK_GLOBAL_SYMBOLS(X)
#undef X
  return absl::OkStatus();
}

absl::Status RawVulkan::CreateInstance() {
  VkApplicationInfo application{.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO};
  application.pApplicationName = "hal benchmark baseline";
  application.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo info{.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &application;
  if (const VkResult result = vk_.vkCreateInstance(&info, nullptr, &instance_);
      result != VK_SUCCESS) {
    return absl::UnavailableError(absl::StrCat("vkCreateInstance failed: VkResult ", result));
  }
#define X(name) HAL_RETURN_IF_ERROR(Resolve(vk_.vkGetInstanceProcAddr, instance_, #name, vk_.name));
  HAL_BENCH_VK_INSTANCE_SYMBOLS(X)
#undef X
  return absl::OkStatus();
}

absl::Status RawVulkan::CreateDevice(const std::array<uint8_t, 16>& device_uuid) {
  uint32_t count = 0;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkEnumeratePhysicalDevices(instance_, &count, nullptr));
  std::vector<VkPhysicalDevice> handles(count);
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkEnumeratePhysicalDevices(instance_, &count, handles.data()));
  for (VkPhysicalDevice handle : handles) {
    VkPhysicalDeviceIDProperties id{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
    VkPhysicalDeviceProperties2 properties{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties.pNext = &id;
    vk_.vkGetPhysicalDeviceProperties2(handle, &properties);
    if (std::memcmp(id.deviceUUID, device_uuid.data(), device_uuid.size()) == 0) {
      physical_device_ = handle;
    }
  }
  if (physical_device_ == VK_NULL_HANDLE) {
    return absl::UnavailableError("no Vulkan physical device has the UUID of hal's device");
  }
  uint32_t family_count = 0;
  vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &family_count, families.data());
  int chosen = -1;
  for (uint32_t i = 0; i < family_count; ++i) {
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) == 0) continue;
    const bool compute_only = (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) == 0;
    if (chosen < 0 || compute_only) chosen = static_cast<int>(i);
  }
  if (chosen < 0) return absl::UnavailableError("the Vulkan device has no compute queue");
  queue_family_ = static_cast<uint32_t>(chosen);

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkPhysicalDeviceVulkan12Features features12{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  features12.timelineSemaphore = VK_TRUE;
  VkDeviceCreateInfo info{.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &features12;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue_info;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreateDevice(physical_device_, &info, nullptr, &device_));
#define X(name) HAL_RETURN_IF_ERROR(Resolve(vk_.vkGetDeviceProcAddr, device_, #name, vk_.name));
  HAL_BENCH_VK_DEVICE_SYMBOLS(X)
#undef X
  vk_.vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> RawVulkan::FindMemoryType(uint32_t allowed_types,
                                                   VkMemoryPropertyFlags required,
                                                   VkMemoryPropertyFlags preferred) const {
  VkPhysicalDeviceMemoryProperties memory;
  vk_.vkGetPhysicalDeviceMemoryProperties(physical_device_, &memory);
  int fallback = -1;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
    if ((allowed_types & (1u << i)) == 0 || (flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) {
    return absl::UnavailableError(
        absl::StrCat("no Vulkan memory type has the property flags ", required));
  }
  return static_cast<uint32_t>(fallback);
}

absl::StatusOr<RawBuffer> RawVulkan::CreateBuffer(uint64_t size, VkMemoryPropertyFlags required,
                                                  VkMemoryPropertyFlags preferred) {
  RawBuffer buffer;
  VkBufferCreateInfo buffer_info{.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  buffer_info.size = size;
  buffer_info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  buffer_info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreateBuffer(device_, &buffer_info, nullptr, &buffer.buffer));
  // Owned from here on, so that a failure below still releases it.
  buffers_.push_back(buffer);
  VkMemoryRequirements requirements;
  vk_.vkGetBufferMemoryRequirements(device_, buffer.buffer, &requirements);
  HAL_ASSIGN_OR_RETURN(const uint32_t type,
                       FindMemoryType(requirements.memoryTypeBits, required, preferred));
  VkMemoryAllocateInfo allocate{.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = type;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkAllocateMemory(device_, &allocate, nullptr, &buffer.memory));
  buffers_.back() = buffer;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkBindBufferMemory(device_, buffer.buffer, buffer.memory, 0));
  if ((required & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
    void* mapped = nullptr;
    HAL_BENCH_VK_RETURN_IF_ERROR(
        vk_.vkMapMemory(device_, buffer.memory, 0, VK_WHOLE_SIZE, 0, &mapped));
    buffer.mapped = static_cast<std::byte*>(mapped);
  }
  return buffer;
}

absl::StatusOr<VkPipeline> RawVulkan::CreateComputePipeline(absl::Span<const uint8_t> spirv) {
  VkPipelineLayoutCreateInfo layout_info{.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  VkPipelineLayout layout = VK_NULL_HANDLE;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreatePipelineLayout(device_, &layout_info, nullptr, &layout));
  pipeline_layouts_.push_back(layout);
  // SPIR-V is a stream of 32-bit words; the bundle's bytes need not be aligned.
  std::vector<uint32_t> words(spirv.size() / sizeof(uint32_t));
  std::memcpy(words.data(), spirv.data(), words.size() * sizeof(uint32_t));
  VkShaderModuleCreateInfo module_info{.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = words.size() * sizeof(uint32_t);
  module_info.pCode = words.data();
  VkShaderModule module = VK_NULL_HANDLE;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreateShaderModule(device_, &module_info, nullptr, &module));
  VkComputePipelineCreateInfo info{.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  const VkResult result =
      vk_.vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
  // The pipeline keeps what it needs of the module.
  vk_.vkDestroyShaderModule(device_, module, nullptr);
  if (result != VK_SUCCESS) return VkError("vkCreateComputePipelines", result);
  pipelines_.push_back(pipeline);
  return pipeline;
}

absl::StatusOr<std::vector<VkCommandBuffer>> RawVulkan::CreateCommandBuffers(uint32_t count) {
  VkCommandPoolCreateInfo pool_info{.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = queue_family_;
  VkCommandPool pool = VK_NULL_HANDLE;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreateCommandPool(device_, &pool_info, nullptr, &pool));
  command_pools_.push_back(pool);
  VkCommandBufferAllocateInfo info{.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = pool;
  info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  info.commandBufferCount = count;
  std::vector<VkCommandBuffer> command_buffers(count);
  HAL_BENCH_VK_RETURN_IF_ERROR(
      vk_.vkAllocateCommandBuffers(device_, &info, command_buffers.data()));
  return command_buffers;
}

absl::StatusOr<VkSemaphore> RawVulkan::CreateTimelineSemaphore() {
  VkSemaphoreTypeCreateInfo type{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo info{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &type;
  VkSemaphore semaphore = VK_NULL_HANDLE;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkCreateSemaphore(device_, &info, nullptr, &semaphore));
  semaphores_.push_back(semaphore);
  return semaphore;
}

absl::Status RawVulkan::Begin(VkCommandBuffer command_buffer) const {
  VkCommandBufferBeginInfo begin{.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkBeginCommandBuffer(command_buffer, &begin));
  return absl::OkStatus();
}

absl::Status RawVulkan::End(VkCommandBuffer command_buffer) const {
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkEndCommandBuffer(command_buffer));
  return absl::OkStatus();
}

absl::Status RawVulkan::Wait(VkSemaphore semaphore, uint64_t value) const {
  VkSemaphoreWaitInfo info{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &semaphore;
  info.pValues = &value;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkWaitSemaphores(device_, &info, UINT64_MAX));
  return absl::OkStatus();
}

absl::Status RawVulkan::Submit(VkCommandBuffer command_buffer, VkSemaphore semaphore,
                               uint64_t value) const {
  VkTimelineSemaphoreSubmitInfo timeline{.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  timeline.signalSemaphoreValueCount = 1;
  timeline.pSignalSemaphoreValues = &value;
  VkSubmitInfo submit{.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.pNext = &timeline;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &command_buffer;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &semaphore;
  HAL_BENCH_VK_RETURN_IF_ERROR(vk_.vkQueueSubmit(queue_, 1, &submit, VK_NULL_HANDLE));
  return absl::OkStatus();
}

#undef HAL_BENCH_VK_RETURN_IF_ERROR

}  // namespace hal::bench
