// Admission control: chooses the physical device a virtual device goes on,
// or says for each device why it cannot.
#ifndef HAL_VIRTUAL_DEVICE_PLACEMENT_H_
#define HAL_VIRTUAL_DEVICE_PLACEMENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "hal/virtual_device.h"

namespace hal::internal {

struct PlacementCandidate {
  const PhysicalDevice* device;
  uint64_t quota_room;  // capacity * overcommit ratio - quotas already placed
  double compute_room;  // 1.0 - compute shares already placed
};

// Index into `candidates` of the chosen device; ResourceExhausted listing the
// reason of every device when none fits.
absl::StatusOr<size_t> PlaceVirtualDevice(const VirtualDeviceSpec& spec,
                                          const std::vector<PlacementCandidate>& candidates,
                                          PlacementPolicy policy);

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_PLACEMENT_H_
