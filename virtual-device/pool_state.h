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
  PoolState(std::vector<Member> members, PoolOptions options)
      : members_(std::move(members)), options_(std::move(options)) {}

  const PoolOptions& options() const { return options_; }
  absl::StatusOr<std::shared_ptr<VirtualDevice>> CreateVirtualDevice(const VirtualDeviceSpec& spec);
  std::vector<Pool::DeviceUsage> Usage() const;
  std::vector<std::shared_ptr<VirtualDevice>> VirtualDevices() const;

 private:
  std::vector<Pool::DeviceUsage> UsageLocked() const;  // needs mu_ held

  const std::vector<Member> members_;
  const PoolOptions options_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<VirtualDevice>> virtual_devices_;  // guarded by mu_
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_POOL_STATE_H_
