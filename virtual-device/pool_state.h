// The state behind a Pool: its devices, their capacities, and the virtual
// devices placed on them.
#ifndef HAL_VIRTUAL_DEVICE_POOL_STATE_H_
#define HAL_VIRTUAL_DEVICE_POOL_STATE_H_

#include <memory>
#include <mutex>
#include <vector>

#include "hal/virtual_device.h"
#include "virtual-device/residency_manager.h"
#include "virtual-device/time_slice_scheduler.h"

namespace hal::internal {

class PoolState {
 public:
  struct Member {
    const PhysicalDevice* device;
    uint64_t capacity_bytes;
    std::shared_ptr<ResidencyManager> residency;  // only when the pool overcommits
    std::shared_ptr<TimeSliceScheduler> time_slice;
  };
  PoolState(std::vector<Member> members, PoolOptions options, uint64_t host_memory_limit)
      : members_(std::move(members)),
        options_(std::move(options)),
        host_memory_limit_(host_memory_limit) {}

  const PoolOptions& options() const { return options_; }
  uint64_t host_memory_limit() const { return host_memory_limit_; }
  const std::vector<Member>& members() const { return members_; }
  absl::StatusOr<std::shared_ptr<VirtualDevice>> CreateVirtualDevice(const VirtualDeviceSpec& spec);
  absl::Status DestroyVirtualDevice(absl::string_view name);
  std::vector<Pool::DeviceUsage> Usage() const;
  std::vector<std::shared_ptr<VirtualDevice>> VirtualDevices() const;

 private:
  std::vector<Pool::DeviceUsage> UsageLocked() const;  // needs mu_ held
  // Sets each overcommitted device's host reservation to what its quotas
  // placed now may evict.  // needs mu_ held
  void UpdateHostReservationsLocked() const;
  // The host memory to reserve for what overcommit may evict from `member`
  // once `spec` is placed there; ResourceExhausted past the pool's host limit.
  absl::StatusOr<uint64_t> EvictionRoom(const VirtualDeviceSpec& spec, size_t member,
                                        const std::vector<Pool::DeviceUsage>& usage) const;

  const std::vector<Member> members_;
  const PoolOptions options_;
  const uint64_t host_memory_limit_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<VirtualDevice>> virtual_devices_;  // guarded by mu_
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_POOL_STATE_H_
