// One device a driver reports, as the runtime found it. Owned by the Runtime
// and by every Device opened from it, so it (and its driver library) stays
// valid until the last of them is gone; thread-safe. Open() gives a Device (a
// context) to work on.
#ifndef HAL_PHYSICAL_DEVICE_H_
#define HAL_PHYSICAL_DEVICE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hal/export.h"
#include "hal/types.h"

namespace hal {

class Device;
namespace internal {
class LoadedDriver;
struct Access;
}  // namespace internal

struct DeviceProperties {
  std::string name;
  std::string vendor;
  std::array<uint8_t, 16> uuid{};
  DeviceType type = DeviceType::kOther;
  // The vendor's instruction-set name ("sm_90", "x86_64"); "" when none.
  std::string architecture;
  // "domain:bus:device.function" in hex; "" when not on PCI or unknown.
  std::string pci_bus_id;
  uint64_t memory_bytes = 0;
  uint64_t l2_cache_bytes = 0;  // 0 when unknown
  uint32_t compute_units = 0;
  CapabilitySet capabilities;
  std::vector<std::string> kernel_formats;  // best first
  PartitionInfo partition;
  std::array<uint32_t, 3> max_workgroup_size{};
  uint32_t max_workgroup_invocations = 0;
  std::array<uint32_t, 3> max_workgroup_count{};
  uint64_t min_buffer_alignment = 0;
  uint64_t binding_offset_alignment = 0;
  uint64_t allocation_granularity = 0;
  // Capability::kVirtualMemory: buffers that can be decommitted (evicted at
  // a stable address) are rounded up to this; 0 otherwise.
  uint64_t virtual_memory_granularity = 0;
  uint64_t timestamp_resolution_ns = 0;
  // Whether Buffer::Map() works on BufferKind::kDevice buffers; host-staging
  // buffers can be mapped on every device.
  bool device_buffers_mappable = false;

  // `size` rounded up to allocation_granularity: what an allocation or a
  // charged host registration of `size` bytes counts against a quota.
  HAL_API uint64_t RoundedToAllocationGranularity(uint64_t size) const;
};

struct DeviceOptions {
  // 0: the whole device; otherwise partition units to ask for (raised by the
  // driver to partition.min_units and rounded up to partition.alignment). InvalidArgument when the device has no
  // partition capability or the count exceeds max_units.
  uint32_t partition_units = 0;
  // Devices with Capability::kMemoryCache keep freed memory for reuse: at
  // most this many bytes (0: every free goes back to the device at once).
  // Unset: 1/kDefaultMemoryCacheShare of the device's memory. The cache's
  // bytes are Device::cached_bytes(); a virtual device's are charged to its
  // quota (VirtualDeviceSpec::memory_cache_limit).
  std::optional<uint64_t> memory_cache_limit;
  static constexpr uint64_t kDefaultMemoryCacheShare = 8;
};

class HAL_API PhysicalDevice : public std::enable_shared_from_this<PhysicalDevice> {
 public:
  HAL_INTERNAL PhysicalDevice(std::shared_ptr<const internal::LoadedDriver> driver, uint32_t index,
                              DeviceProperties props);
  PhysicalDevice(const PhysicalDevice&) = delete;
  PhysicalDevice& operator=(const PhysicalDevice&) = delete;

  // "cpu:0": driver name and the device's index within its driver.
  const std::string& id() const { return id_; }
  // A selector naming this device by UUID, ready to paste into
  // HAL_DEVICE_SELECTOR (stable across machines, unlike the index).
  std::string uuid_selector() const;
  const std::string& driver_name() const;
  uint32_t index() const { return index_; }
  const DeviceProperties& properties() const { return props_; }
  // Lower-case 8-4-4-4-12 hex form of properties().uuid.
  std::string uuid_string() const;

  // Free memory now, as the driver reports it.
  absl::StatusOr<uint64_t> QueryFreeMemory() const;

  // Opens a device context. Each call creates a new, independent context.
  absl::StatusOr<std::shared_ptr<Device>> Open(const DeviceOptions& options = {}) const;

 private:
  friend struct internal::Access;
  std::shared_ptr<const internal::LoadedDriver> driver_;
  uint32_t index_;
  DeviceProperties props_;
  std::string id_;
};

}  // namespace hal

#endif  // HAL_PHYSICAL_DEVICE_H_
