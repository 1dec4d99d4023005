#include "backends/vulkan/vulkan_instance.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "backends/vulkan/vulkan_error.h"

namespace hal::vulkan {
namespace {

constexpr char kLibraryName[] = "libvulkan.so.1";
constexpr char kValidationLayer[] = "VK_LAYER_KHRONOS_validation";
constexpr uint32_t kRequiredApiVersion = VK_API_VERSION_1_2;

std::unique_ptr<Instance> instance;

bool EnvironmentFlag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::strcmp(value, "1") == 0;
}

bool ValidationRequested() { return EnvironmentFlag("HAL_VULKAN_VALIDATION"); }

// A toggle (docs/vulkan-driver.md): binds through recycled descriptor sets
// even where push descriptors exist, so that path is tested on any device.
bool PushDescriptorsDisabled() { return EnvironmentFlag("HAL_VULKAN_DISABLE_PUSH_DESCRIPTOR"); }

VKAPI_ATTR VkBool32 VKAPI_CALL OnDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data,
                                              void* user_data) {
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    std::fprintf(stderr, "hal vulkan validation error: %s\n", data->pMessage);
    static_cast<Instance*>(user_data)->RecordValidationError(data->pMessage);
  }
  return VK_FALSE;
}

const char* VendorName(uint32_t vendor_id) {
  switch (vendor_id) {
    case 0x10DE:
      return "NVIDIA";
    case 0x1002:
      return "AMD";
    case 0x8086:
      return "Intel";
    case 0x13B5:
      return "ARM";
    case 0x5143:
      return "Qualcomm";
    case 0x106B:
      return "Apple";
    case 0x1010:
      return "Imagination";
    case VK_VENDOR_ID_MESA:
      return "Mesa";
    default:
      return "unknown";
  }
}

hal_device_type DeviceType(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return HAL_DEVICE_TYPE_DISCRETE_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return HAL_DEVICE_TYPE_INTEGRATED_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return HAL_DEVICE_TYPE_VIRTUAL_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return HAL_DEVICE_TYPE_CPU;
    default:
      return HAL_DEVICE_TYPE_OTHER;
  }
}

}  // namespace

hal_result Instance::Create(Instance** out_instance) {
  if (instance == nullptr) {
    std::unique_ptr<Instance> created(new Instance());
    HAL_RETURN_IF_FAILED(created->Open());
    HAL_RETURN_IF_FAILED(created->CreateVkInstance());
    HAL_RETURN_IF_FAILED(created->SelectDevices());
    instance = std::move(created);
  }
  *out_instance = instance.get();
  return HAL_SUCCESS;
}

void Instance::Destroy() { instance.reset(); }

Instance* Instance::Get() { return instance.get(); }

Instance::~Instance() {
  if (messenger_ != VK_NULL_HANDLE) {
    symbols_.vkDestroyDebugUtilsMessengerEXT(instance_, messenger_, nullptr);
  }
  if (instance_ != VK_NULL_HANDLE) symbols_.vkDestroyInstance(instance_, nullptr);
  if (library_ != nullptr) dlclose(library_);
}

hal_result Instance::Open() {
  library_ = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) return Fail(HAL_ERROR_UNAVAILABLE, dlerror());
  symbols_.vkGetInstanceProcAddr =
      reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library_, "vkGetInstanceProcAddr"));
  std::string missing = "vkGetInstanceProcAddr";
  if (symbols_.vkGetInstanceProcAddr == nullptr || !LoadGlobalSymbols(symbols_, &missing)) {
    return Fail(HAL_ERROR_UNAVAILABLE, std::string(kLibraryName) + " lacks " + missing);
  }
  return HAL_SUCCESS;
}

hal_result Instance::CreateVkInstance() {
  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  if (ValidationRequested()) {
    uint32_t count = 0;
    symbols_.vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> available(count);
    symbols_.vkEnumerateInstanceLayerProperties(&count, available.data());
    const bool found = std::any_of(available.begin(), available.end(), [](const auto& layer) {
      return std::strcmp(layer.layerName, kValidationLayer) == 0;
    });
    if (found) {
      layers.push_back(kValidationLayer);
      extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    } else {
      std::fprintf(stderr, "hal vulkan: HAL_VULKAN_VALIDATION=1 but %s is not installed\n",
                   kValidationLayer);
    }
  }
  VkApplicationInfo application{.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO};
  application.pApplicationName = "hal";
  application.apiVersion = kRequiredApiVersion;
  VkInstanceCreateInfo info{.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &application;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  if (const VkResult result = symbols_.vkCreateInstance(&info, nullptr, &instance_);
      result != VK_SUCCESS) {
    return FailVk("vkCreateInstance", result, HAL_ERROR_UNAVAILABLE);
  }
  std::string missing;
  if (!LoadInstanceSymbols(instance_, symbols_, &missing)) {
    return Fail(HAL_ERROR_UNAVAILABLE, "the Vulkan instance lacks " + missing);
  }
  if (!layers.empty() && symbols_.vkCreateDebugUtilsMessengerEXT != nullptr) {
    VkDebugUtilsMessengerCreateInfoEXT messenger{
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                            VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                            VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger.pfnUserCallback = OnDebugMessage;
    messenger.pUserData = this;
    HAL_VK_RETURN_IF_ERROR(
        symbols_.vkCreateDebugUtilsMessengerEXT(instance_, &messenger, nullptr, &messenger_));
  }
  return HAL_SUCCESS;
}

hal_result Instance::SelectDevices() {
  if (PushDescriptorsDisabled()) {
    std::fprintf(stderr,
                 "hal vulkan: HAL_VULKAN_DISABLE_PUSH_DESCRIPTOR=1: binding through recycled "
                 "descriptor sets\n");
  }
  uint32_t count = 0;
  HAL_VK_RETURN_IF_ERROR(symbols_.vkEnumeratePhysicalDevices(instance_, &count, nullptr));
  std::vector<VkPhysicalDevice> handles(count);
  HAL_VK_RETURN_IF_ERROR(symbols_.vkEnumeratePhysicalDevices(instance_, &count, handles.data()));
  std::string reasons;
  for (VkPhysicalDevice handle : handles) {
    PhysicalDevice device;
    if (std::string why = Qualify(handle, &device); !why.empty()) {
      VkPhysicalDeviceProperties properties;
      symbols_.vkGetPhysicalDeviceProperties(handle, &properties);
      reasons += (reasons.empty() ? "" : "; ") + std::string(properties.deviceName) + " " + why;
      unusable_.push_back({properties.deviceName, std::move(why)});
      continue;
    }
    devices_.push_back(device);
  }
  if (devices_.empty()) {
    return Fail(
        HAL_ERROR_UNAVAILABLE,
        "no usable Vulkan device" + (reasons.empty() ? std::string(" found") : ": " + reasons));
  }
  return HAL_SUCCESS;
}

std::string Instance::Qualify(VkPhysicalDevice handle, PhysicalDevice* out) const {
  VkPhysicalDeviceIDProperties id{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 properties2{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &id;
  symbols_.vkGetPhysicalDeviceProperties2(handle, &properties2);
  const VkPhysicalDeviceProperties& vk = properties2.properties;
  if (vk.apiVersion < kRequiredApiVersion) {
    return "supports Vulkan " + std::to_string(VK_API_VERSION_MAJOR(vk.apiVersion)) + "." +
           std::to_string(VK_API_VERSION_MINOR(vk.apiVersion)) + ", below the required 1.2";
  }
  uint32_t family_count = 0;
  symbols_.vkGetPhysicalDeviceQueueFamilyProperties(handle, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  symbols_.vkGetPhysicalDeviceQueueFamilyProperties(handle, &family_count, families.data());
  // Prefer a compute-only family (async compute on GPUs); any compute family will do.
  int chosen = -1;
  for (uint32_t i = 0; i < family_count; ++i) {
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) == 0) continue;
    const bool compute_only = (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) == 0;
    if (chosen < 0 || compute_only) chosen = static_cast<int>(i);
  }
  if (chosen < 0) return "has no compute queue";
  out->handle = handle;
  out->compute_queue_family = static_cast<uint32_t>(chosen);
  out->timestamp_valid_bits = families[chosen].timestampValidBits;
  out->timestamp_period_ns = vk.limits.timestampPeriod;

  bool has_pci_bus_info = false;
  bool has_external_memory_host = false;
  uint32_t extension_count = 0;
  symbols_.vkEnumerateDeviceExtensionProperties(handle, nullptr, &extension_count, nullptr);
  std::vector<VkExtensionProperties> extensions(extension_count);
  symbols_.vkEnumerateDeviceExtensionProperties(handle, nullptr, &extension_count,
                                                extensions.data());
  for (const VkExtensionProperties& extension : extensions) {
    if (std::strcmp(extension.extensionName, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) == 0) {
      out->has_memory_budget = true;
    }
    if (std::strcmp(extension.extensionName, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME) == 0) {
      out->push_descriptors = !PushDescriptorsDisabled();
    }
    if (std::strcmp(extension.extensionName, VK_EXT_ROBUSTNESS_2_EXTENSION_NAME) == 0) {
      out->robust_buffer_access2 = true;  // if the feature is there too, below
    }
    if (std::strcmp(extension.extensionName, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME) == 0) {
      has_pci_bus_info = true;
    }
    if (std::strcmp(extension.extensionName, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME) == 0) {
      has_external_memory_host = true;
    }
  }
  VkPhysicalDeviceRobustness2FeaturesEXT robustness2{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  VkPhysicalDeviceFeatures2 features2{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  // The structure of an extension the device lacks must not be chained.
  if (out->robust_buffer_access2) features2.pNext = &robustness2;
  symbols_.vkGetPhysicalDeviceFeatures2(handle, &features2);
  out->robust_buffer_access = features2.features.robustBufferAccess == VK_TRUE;
  out->robust_buffer_access2 = out->robust_buffer_access && out->robust_buffer_access2 &&
                               robustness2.robustBufferAccess2 == VK_TRUE;

  hal_device_properties& props = out->properties;
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  std::snprintf(props.name, sizeof(props.name), "%s", vk.deviceName);
  std::snprintf(props.vendor, sizeof(props.vendor), "%s", VendorName(vk.vendorID));
  std::memcpy(props.uuid, id.deviceUUID, sizeof(props.uuid));
  props.device_type = DeviceType(vk.deviceType);
  // Vulkan names no instruction set: architecture stays "", as does the L2
  // size (l2_cache_bytes 0, unknown).
  if (has_pci_bus_info) WritePciBusId(handle, props.pci_bus_id, sizeof(props.pci_bus_id));
  uint64_t free_bytes = 0;
  MemoryInfo(*out, &free_bytes, &props.total_memory_bytes);
  props.capabilities = HAL_CAPABILITY_NATIVE_HANDLES;
  if (has_external_memory_host) out->host_import_alignment = HostImportAlignment(handle);
  if (out->host_import_alignment != 0) props.capabilities |= HAL_CAPABILITY_HOST_REGISTRATION;
  // Vulkan does not expose a compute unit count; 1 keeps the field honest
  // (docs/vulkan-driver.md).
  props.compute_units = 1;
  std::snprintf(props.kernel_formats, sizeof(props.kernel_formats), "spirv-vulkan");
  // No hardware partition: the one unit is the whole device.
  props.partition_kind = HAL_PARTITION_NONE;
  props.partition_min_units = 1;
  props.partition_alignment = 1;
  props.partition_max_units = 1;
  for (int i = 0; i < 3; ++i) {
    props.max_workgroup_size[i] = vk.limits.maxComputeWorkGroupSize[i];
    props.max_workgroup_count[i] = vk.limits.maxComputeWorkGroupCount[i];
  }
  props.max_workgroup_invocations = vk.limits.maxComputeWorkGroupInvocations;
  props.binding_offset_alignment = vk.limits.minStorageBufferOffsetAlignment;
  props.min_buffer_alignment = std::max<uint64_t>(256, vk.limits.minStorageBufferOffsetAlignment);
  props.allocation_granularity = props.min_buffer_alignment;
  props.timestamp_resolution_ns =
      std::max<uint64_t>(1, static_cast<uint64_t>(vk.limits.timestampPeriod + 0.5f));
  return "";
}

uint64_t Instance::HostImportAlignment(VkPhysicalDevice handle) const {
  VkPhysicalDeviceExternalMemoryHostPropertiesEXT host{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
  VkPhysicalDeviceProperties2 properties2{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &host;
  symbols_.vkGetPhysicalDeviceProperties2(handle, &properties2);
  // The ABI promises page-aligned memory of whole pages, no more: a device
  // asking a larger (or odd) alignment could not take every registration.
  const uint64_t alignment = host.minImportedHostPointerAlignment;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return alignment != 0 && page % alignment == 0 ? alignment : 0;
}

void Instance::WritePciBusId(VkPhysicalDevice handle, char* out, size_t out_size) const {
  VkPhysicalDevicePCIBusInfoPropertiesEXT pci{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT};
  VkPhysicalDeviceProperties2 properties2{.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &pci;
  symbols_.vkGetPhysicalDeviceProperties2(handle, &properties2);
  std::snprintf(out, out_size, "%04x:%02x:%02x.%x", pci.pciDomain, pci.pciBus, pci.pciDevice,
                pci.pciFunction);
}

void Instance::MemoryInfo(const PhysicalDevice& device, uint64_t* free_bytes,
                          uint64_t* total_bytes) const {
  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 memory{
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
  if (device.has_memory_budget) memory.pNext = &budget;
  symbols_.vkGetPhysicalDeviceMemoryProperties2(device.handle, &memory);
  *total_bytes = 0;
  *free_bytes = 0;
  const VkPhysicalDeviceMemoryProperties& heaps = memory.memoryProperties;
  for (uint32_t i = 0; i < heaps.memoryHeapCount; ++i) {
    if ((heaps.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) == 0) continue;
    *total_bytes += heaps.memoryHeaps[i].size;
    *free_bytes += device.has_memory_budget
                       ? budget.heapBudget[i] - std::min(budget.heapBudget[i], budget.heapUsage[i])
                       : heaps.memoryHeaps[i].size;
  }
}

std::string Instance::first_validation_error() const {
  std::lock_guard lock(first_error_mutex_);
  return first_validation_error_;
}

void Instance::RecordValidationError(const char* message) {
  std::lock_guard lock(first_error_mutex_);
  if (validation_errors_.fetch_add(1) == 0) first_validation_error_ = message;
}

hal_result CheckValidation(uint64_t* seen) {
  const Instance* current = Instance::Get();
  if (current == nullptr) return HAL_SUCCESS;
  const uint64_t count = current->validation_error_count();
  if (count == *seen) return HAL_SUCCESS;
  *seen = count;
  return Fail(HAL_ERROR_INTERNAL,
              std::to_string(count) +
                  " Vulkan validation error(s); the first: " + current->first_validation_error());
}

}  // namespace hal::vulkan
