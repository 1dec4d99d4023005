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
  uint64_t quota_room;      // capacity * overcommit ratio - quotas already placed
  double compute_room;      // 1.0 - compute shares already placed
  uint32_t partition_room;  // partition units in no virtual device's partition
};

// Whether a compute share below 1 is enforced by a hard partition on a
// device with this partition info (otherwise by time slices).
bool HasPartitions(const PartitionInfo& partition);
// The partition units a compute share asks for: its share of the device's
// units rounded down to the alignment, at least the minimum. The driver
// rounds a request up to the alignment, so shares that sum to at most 1 must
// ask for aligned units to fit together (two halves of an H100's 132 SMs ask
// 64 each; 66 would be granted 72).
uint32_t PartitionUnitsAsked(const PartitionInfo& partition, double compute_share);
// What the driver grants for `asked` units (hal_device_properties): at least
// min_units, rounded up to a multiple of alignment, at most max_units.
uint32_t PartitionUnitsGranted(const PartitionInfo& partition, uint32_t asked);

// Index into `candidates` of the chosen device; ResourceExhausted listing the
// reason of every device when none fits (only the required one's when the
// spec names one); NotFound when the spec requires a device that is not
// among the candidates.
absl::StatusOr<size_t> PlaceVirtualDevice(const VirtualDeviceSpec& spec,
                                          const std::vector<PlacementCandidate>& candidates,
                                          PlacementPolicy policy);

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_PLACEMENT_H_
