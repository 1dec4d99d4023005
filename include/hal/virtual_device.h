// Pools of physical devices and the virtual devices carved out of them
// (docs/virtual-devices.md). A virtual device has a hard memory quota, a
// compute share, and its own device context: it is used through the same
// hal::Device API as a physical device, so framework code does not change.
//
// Thread-safe. The Pool must outlive its virtual devices' objects, and the
// Runtime must outlive the Pool.
#ifndef HAL_VIRTUAL_DEVICE_H_
#define HAL_VIRTUAL_DEVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/device.h"
#include "hal/export.h"
#include "hal/physical_device.h"

namespace hal {

class Runtime;
namespace internal {
class PoolState;
class QuotaLedger;
class TimeSliceGate;
}  // namespace internal

enum class PlacementPolicy {
  kBinpack,  // fill the device with the least room left that fits
  kSpread,   // the device with the most room left
};
HAL_API const char* PlacementPolicyName(PlacementPolicy policy);  // "binpack", "spread"

// How a time-sliced device shares compute among its virtual devices.
enum class TimeSliceMode {
  kWorkConserving,  // a tenant may use idle capacity beyond its share
  kStrict,          // never beyond its share, even on an idle device
};
HAL_API const char* TimeSliceModeName(TimeSliceMode mode);  // "work-conserving", "strict"

struct PoolOptions {
  // Sum of memory quotas placed on a device, relative to its capacity. Above
  // 1.0 the residency manager keeps the device's resident bytes within its
  // capacity by evicting idle, unpinned buffers to host memory and restoring
  // them before the next command that binds them.
  double overcommit_ratio = 1.0;
  PlacementPolicy placement = PlacementPolicy::kBinpack;
  TimeSliceMode time_slice = TimeSliceMode::kWorkConserving;
  // Device id ("cpu:0") -> bytes the pool may use of it, below its real memory.
  std::map<std::string, uint64_t> capacity_caps;
  // Host memory the pool may use for evicted buffers; unset: the host's
  // MemAvailable (/proc/meminfo) when the pool is created. Admission reserves
  // what overcommit may evict from each device (the sum of its quotas above
  // its capacity) and refuses a virtual device that would pass this; an
  // eviction that would pass it fails with ResourceExhausted.
  std::optional<uint64_t> host_memory_limit_bytes;
};

struct VirtualDeviceSpec {
  std::string name;                           // unique in the pool; names it in every message
  uint64_t memory_quota = 0;                  // bytes, >= 1; hard
  double compute_share = 1.0;                 // fraction of one device, (0, 1]
  std::optional<std::string> require_vendor;  // e.g. "NVIDIA"; exact match
  std::optional<std::string> require_format;  // a kernel format the device must take
  std::optional<std::string> prefer_vendor;   // tried first, others if none fits
  // The pool device ("cuda:0") it must be placed on, and no other: NotFound
  // when the pool has no such device, ResourceExhausted naming it when it
  // does not fit there.
  std::optional<std::string> require_device;
  // Larger is more important: under memory pressure, buffers of less
  // important virtual devices on the same device are evicted first.
  int priority = 0;
  // Bytes this virtual device may pin (a mapped buffer in an overcommitted
  // pool is never evicted), at most memory_quota; unset: memory_quota divided
  // by the pool's overcommit ratio, its share of real device memory, so the
  // tenants of a fully placed device together cannot pin more than it has.
  std::optional<uint64_t> pin_limit;
  // Devices with Capability::kMemoryCache (CUDA) keep freed memory for reuse;
  // every cached byte is charged to this virtual device's quota, so
  // memory_used() is its live buffers plus its cache. The most bytes its
  // cache may hold, at most memory_quota; unset: memory_quota / 8. In an
  // overcommitted pool it must be unset or 0 and is 0: the residency manager
  // needs resident bytes to be exactly the live buffers it can evict.
  std::optional<uint64_t> memory_cache_limit;
};

// How a virtual device's compute share is enforced on its device.
enum class ComputeEnforcement {
  kWholeDevice,    // share 1.0: nothing to enforce
  kHardPartition,  // a driver partition (CUDA green context, CU mask, sub-device)
  kTimeSlice,      // the pool's time-slice scheduler, from measured device-busy time
};
HAL_API const char* ComputeEnforcementName(ComputeEnforcement enforcement);

class HAL_API VirtualDevice {
 public:
  HAL_INTERNAL VirtualDevice(VirtualDeviceSpec spec, const PhysicalDevice* placement,
                             std::shared_ptr<Device> device,
                             std::shared_ptr<internal::QuotaLedger> ledger,
                             ComputeEnforcement enforcement,
                             std::shared_ptr<internal::TimeSliceGate> time_slice);
  ~VirtualDevice();
  VirtualDevice(const VirtualDevice&) = delete;
  VirtualDevice& operator=(const VirtualDevice&) = delete;

  const VirtualDeviceSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  const PhysicalDevice& placement() const { return *placement_; }
  // The device to allocate, queue and dispatch on: every allocation is charged
  // to this virtual device's quota; objects of another virtual device are
  // refused with PermissionDenied; new buffers read as zeros.
  const std::shared_ptr<Device>& device() const { return device_; }
  uint64_t memory_quota() const { return spec_.memory_quota; }
  // Bytes charged now: the sum of live allocations' allocated sizes plus
  // what the driver's cache holds for this virtual device (memory_cached()).
  uint64_t memory_used() const;
  // Bytes of freed buffers the driver keeps for reuse, part of memory_used();
  // Device::TrimMemoryCache() gives them back.
  uint64_t memory_cached() const;
  // Allocations refused because they would exceed the quota.
  uint64_t quota_refusals() const;
  ComputeEnforcement compute_enforcement() const { return enforcement_; }
  // Time-sliced virtual devices: device-busy time measured from event
  // timestamps of its work, and host time its submissions were held back.
  // Both 0 for other enforcements.
  uint64_t compute_busy_ns() const;
  uint64_t compute_held_back_ns() const;

 private:
  VirtualDeviceSpec spec_;
  const PhysicalDevice* placement_;
  std::shared_ptr<Device> device_;
  std::shared_ptr<internal::QuotaLedger> ledger_;
  ComputeEnforcement enforcement_;
  std::shared_ptr<internal::TimeSliceGate> time_slice_;
};

class Pool;
// Fault injection (hal/fault_injection.h; FailedPrecondition while it is
// off): `hook` runs in every eviction and restore copy of buffers on pool
// device `device_id`, on the copying thread with no lock held, before the data
// moves. NotFound for a device not in the pool, FailedPrecondition for a pool
// that does not overcommit. For tests of what proceeds during a copy.
HAL_API absl::Status InjectResidencyCopyHook(Pool& pool, const std::string& device_id,
                                             std::function<void()> hook);

class HAL_API Pool {
 public:
  // The pool of `devices` (any drivers). InvalidArgument for an empty list, a
  // device listed twice, a cap on a device not in it, or a ratio below 1.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(std::vector<const PhysicalDevice*> devices,
                                                      const PoolOptions& options = {});
  // A pool and its virtual devices from a description file (JSON;
  // docs/virtual-devices.md). Devices are named by id or selector term.
  static absl::StatusOr<std::unique_ptr<Pool>> FromFile(const Runtime& runtime,
                                                        const std::string& path);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Places and opens a virtual device. ResourceExhausted when no device can
  // take it, with the reason for each device; InvalidArgument for a bad spec.
  absl::StatusOr<std::shared_ptr<VirtualDevice>> CreateVirtualDevice(const VirtualDeviceSpec& spec);
  // Removes the virtual device `name` and returns its placement to its
  // device: its quota, compute share, partition units, time-slice tenancy
  // and the host memory reserved for its overcommit. NotFound for a name not
  // in the pool; FailedPrecondition, with nothing changed, while any of its
  // objects is alive (buffers, queues, events, modules, kernels: its ledger
  // is not at zero) or while anything besides the pool holds its
  // VirtualDevice or Device (the caller drops its own references first).
  absl::Status DestroyVirtualDevice(absl::string_view name);

  // Overcommit traffic of one device (pools with overcommit_ratio > 1).
  struct ResidencyUsage {
    uint64_t resident_bytes = 0;  // of virtual devices' buffers, now
    uint64_t evictions = 0;
    uint64_t restores = 0;
    uint64_t bytes_evicted = 0;
    uint64_t bytes_restored = 0;
    uint64_t stalls = 0;  // waits for in-flight work before room could be made
    // Evictions that kept the buffer's device address (its memory decommitted,
    // devices with Capability::kVirtualMemory), of `evictions`.
    uint64_t stable_address_evictions = 0;
    uint64_t host_reserved_bytes = 0;  // host memory reserved at admission for evictions
    // Host memory holding this device's evicted contents and spare copies
    // now, out of the pool's host memory limit (shared by its devices).
    uint64_t host_used_bytes = 0;
  };
  struct DeviceUsage {
    const PhysicalDevice* device;
    uint64_t capacity_bytes;  // real memory or the configured cap
    uint64_t quota_placed;    // sum of quotas of virtual devices placed here
    double compute_placed;    // sum of compute shares placed here
    // Partition units (SMs, ...) granted to hard-partitioned virtual devices
    // here, out of the device's partition.max_units.
    uint32_t partition_units_placed;
    std::optional<ResidencyUsage> residency;  // set when the pool overcommits
  };
  std::vector<DeviceUsage> usage() const;
  // Host memory the pool may use for evicted buffers (options or
  // MemAvailable at creation).
  uint64_t host_memory_limit() const;
  std::vector<std::shared_ptr<VirtualDevice>> virtual_devices() const;
  const PoolOptions& options() const;

 private:
  friend absl::Status InjectResidencyCopyHook(Pool&, const std::string&, std::function<void()>);
  HAL_INTERNAL explicit Pool(std::unique_ptr<internal::PoolState> state);
  std::unique_ptr<internal::PoolState> state_;
};

}  // namespace hal

#endif  // HAL_VIRTUAL_DEVICE_H_
