// The driver's process-wide state: libvulkan.so.1, one VkInstance, the
// usable physical devices and their hal properties, and the validation
// layer's error count when HAL_VULKAN_VALIDATION=1.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_INSTANCE_H_
#define HAL_BACKENDS_VULKAN_VULKAN_INSTANCE_H_

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

// A physical device that failed them, and why (hal_driver_table's
// unusable_device_get).
struct UnusableDevice {
  std::string name;
  std::string reason;
};

// A physical device that passed the driver's requirements.
struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  uint32_t compute_queue_family = 0;
  bool has_memory_budget = false;  // VK_EXT_memory_budget
  // Bindings are pushed with VK_KHR_push_descriptor; without it (or with the
  // HAL_VULKAN_DISABLE_PUSH_DESCRIPTOR=1 toggle) each stream binds recycled
  // descriptor sets (descriptor_set_pool.h).
  bool push_descriptors = false;
  // Robust buffer access, turned on for virtual devices' contexts:
  // robustBufferAccess keeps a kernel inside the VkBuffer (here a whole memory
  // block of several hal buffers); robustBufferAccess2 (VK_EXT_robustness2)
  // inside its binding, discarding stores past it and reading zeros.
  bool robust_buffer_access = false;
  bool robust_buffer_access2 = false;
  // VK_EXT_external_memory_host's minImportedHostPointerAlignment; 0 where
  // host registration is not offered: the device lacks the extension, or asks
  // more than the page alignment the ABI promises (hal_host_registration_desc).
  uint64_t host_import_alignment = 0;
  float timestamp_period_ns = 1.0f;
  uint32_t timestamp_valid_bits = 0;
  hal_device_properties properties{};
};

class Instance {
 public:
  // Opens the library, creates the instance and selects devices.
  // HAL_ERROR_UNAVAILABLE with the reasons when no device qualifies.
  static hal_result Create(Instance** out_instance);
  static void Destroy();
  // The instance between initialize() and shutdown(); null otherwise.
  static Instance* Get();

  const InstanceSymbols& symbols() const { return symbols_; }
  VkInstance handle() const { return instance_; }
  const std::vector<PhysicalDevice>& devices() const { return devices_; }
  const std::vector<UnusableDevice>& unusable_devices() const { return unusable_; }

  // Free and total device-local bytes of `device`.
  void MemoryInfo(const PhysicalDevice& device, uint64_t* free_bytes, uint64_t* total_bytes) const;

  // Validation errors reported so far and the first one's message. The
  // driver turns a new error into a failed call (docs/vulkan-driver.md).
  uint64_t validation_error_count() const { return validation_errors_.load(); }
  std::string first_validation_error() const;
  void RecordValidationError(const char* message);

  ~Instance();

 private:
  Instance() = default;
  hal_result Open();
  hal_result CreateVkInstance();
  hal_result SelectDevices();
  // Empty when `device` qualifies, else why not (without its name).
  std::string Qualify(VkPhysicalDevice handle, PhysicalDevice* out) const;
  // minImportedHostPointerAlignment when it divides the page size, else 0.
  uint64_t HostImportAlignment(VkPhysicalDevice handle) const;
  // "domain:bus:device.function" from VK_EXT_pci_bus_info, which the device
  // must offer.
  void WritePciBusId(VkPhysicalDevice handle, char* out, size_t out_size) const;

  void* library_ = nullptr;
  InstanceSymbols symbols_;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::vector<PhysicalDevice> devices_;
  std::vector<UnusableDevice> unusable_;
  std::atomic<uint64_t> validation_errors_{0};
  mutable std::mutex first_error_mutex_;
  std::string first_validation_error_;
};

// A hal_result for validation errors seen since `*seen` (updated): INTERNAL
// with the first message, so that tests enforce zero validation errors.
hal_result CheckValidation(uint64_t* seen);

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_INSTANCE_H_
