// Sub-device partitions (HAL_PARTITION_SUBDEVICE), alike in the OpenCL and
// Level Zero drivers. A device is made of units that sub-devices are cut
// from: OpenCL's compute units (clCreateSubDevices by counts makes a
// sub-device of any count), Level Zero's sub-devices (tiles, fixed handles by
// index). A context asking for N units is granted them by the ABI's rule, and
// the partitioned contexts of one device never hold the same unit together,
// so their sub-devices add up to at most the whole device. A context opened
// without a partition uses the root device and takes no units.
#ifndef HAL_BACKENDS_COMMON_SUBDEVICE_PARTITIONS_H_
#define HAL_BACKENDS_COMMON_SUBDEVICE_PARTITIONS_H_

#include <cstdint>
#include <vector>

#include "backends/gpu_core/partitions.h"
#include "hal/driver/hal_driver.h"

namespace hal::driver_support {

// What a device's sub-devices allow.
struct SubdeviceLayout {
  uint32_t total_units = 0;  // units in the whole device
  uint32_t min_units = 1;    // the smallest partition
  uint32_t alignment = 1;    // partitions are multiples of this many units
};

// The partition fields of `properties` for `layout`: HAL_PARTITION_SUBDEVICE
// when the device splits in at least two partitions, HAL_PARTITION_NONE
// otherwise (a "partition" would be the whole device). partition_max_units is
// the layout's total either way, the units a context without a partition gets.
void DescribeSubdevicePartitions(const SubdeviceLayout& layout, hal_device_properties* properties);

class SubdeviceLease;

// The units of one device and which partitioned contexts hold them.
// Thread-safe. Must outlive its leases (the device outlives its contexts).
class SubdevicePartitions {
 public:
  explicit SubdevicePartitions(const SubdeviceLayout& layout);

  const SubdeviceLayout& layout() const { return layout_; }
  // The units a context asking for `requested` (>= 1) gets: max(requested,
  // min_units) rounded up to a multiple of alignment, at most total_units.
  uint32_t Granted(uint32_t requested) const;
  // Takes Granted(requested) units no lease holds, lowest indices first, into
  // *out (which must hold none). HAL_ERROR_OUT_OF_MEMORY, with the thread's
  // message saying how many units are free, when fewer are.
  hal_result Take(uint32_t requested, SubdeviceLease* out);
  // Units no lease holds.
  uint32_t free_units() const { return ledger_.free_units(); }

 private:
  friend class SubdeviceLease;

  const SubdeviceLayout layout_;
  gpu::PartitionLedger ledger_;  // groups of `alignment` units
};

// The units one partitioned context holds; given back when the lease is
// destroyed or reset. Move-only; a default-constructed lease holds nothing.
class SubdeviceLease {
 public:
  SubdeviceLease() = default;
  SubdeviceLease(SubdeviceLease&& other) noexcept;
  SubdeviceLease& operator=(SubdeviceLease&& other) noexcept;
  SubdeviceLease(const SubdeviceLease&) = delete;
  SubdeviceLease& operator=(const SubdeviceLease&) = delete;
  ~SubdeviceLease();

  bool empty() const { return units_.empty(); }
  // How many units: OpenCL creates a sub-device of this many compute units.
  uint32_t count() const { return static_cast<uint32_t>(units_.size()); }
  // Which units, ascending: Level Zero's sub-device indices.
  const std::vector<uint32_t>& units() const { return units_; }
  // Gives the units back now.
  void Reset();

 private:
  friend class SubdevicePartitions;

  SubdevicePartitions* owner_ = nullptr;
  std::vector<uint32_t> groups_;  // the ledger's groups
  std::vector<uint32_t> units_;
};

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_SUBDEVICE_PARTITIONS_H_
