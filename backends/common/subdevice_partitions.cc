#include "backends/common/subdevice_partitions.h"

#include <algorithm>
#include <string>
#include <utility>

#include "backends/common/driver_error.h"

namespace hal::driver_support {

void DescribeSubdevicePartitions(const SubdeviceLayout& layout, hal_device_properties* properties) {
  const uint32_t smallest =
      gpu::GrantedUnits(layout.min_units, layout.min_units, layout.alignment, layout.total_units);
  const bool splits = smallest > 0 && layout.total_units / smallest >= 2;
  properties->partition_kind = splits ? HAL_PARTITION_SUBDEVICE : HAL_PARTITION_NONE;
  properties->partition_min_units = splits ? smallest : layout.total_units;
  properties->partition_alignment = splits ? std::max<uint32_t>(layout.alignment, 1) : 1;
  properties->partition_max_units = layout.total_units;
}

SubdevicePartitions::SubdevicePartitions(const SubdeviceLayout& layout)
    : layout_(layout), ledger_(layout.total_units, layout.alignment) {}

uint32_t SubdevicePartitions::Granted(uint32_t requested) const {
  return gpu::GrantedUnits(requested, layout_.min_units, layout_.alignment, layout_.total_units);
}

hal_result SubdevicePartitions::Take(uint32_t requested, SubdeviceLease* out) {
  const uint32_t granted = Granted(requested);
  auto groups = ledger_.Take(granted);
  if (!groups.has_value()) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY,
                "a partition of " + std::to_string(requested) + " units (granted " +
                    std::to_string(granted) +
                    ") does not fit: " + std::to_string(ledger_.free_units()) + " of " +
                    std::to_string(layout_.total_units) +
                    " units are not in another context's sub-device");
  }
  out->Reset();
  out->owner_ = this;
  out->groups_ = std::move(*groups);
  for (const uint32_t group : out->groups_) {
    const uint32_t first = group * ledger_.alignment();
    for (uint32_t i = 0; i < ledger_.group_units(group); ++i) out->units_.push_back(first + i);
  }
  return HAL_SUCCESS;
}

SubdeviceLease::SubdeviceLease(SubdeviceLease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      groups_(std::move(other.groups_)),
      units_(std::move(other.units_)) {
  other.groups_.clear();
  other.units_.clear();
}

SubdeviceLease& SubdeviceLease::operator=(SubdeviceLease&& other) noexcept {
  if (this != &other) {
    Reset();
    owner_ = std::exchange(other.owner_, nullptr);
    groups_ = std::move(other.groups_);
    units_ = std::move(other.units_);
    other.groups_.clear();
    other.units_.clear();
  }
  return *this;
}

SubdeviceLease::~SubdeviceLease() { Reset(); }

void SubdeviceLease::Reset() {
  if (owner_ != nullptr) owner_->ledger_.Give(groups_);
  owner_ = nullptr;
  groups_.clear();
  units_.clear();
}

}  // namespace hal::driver_support
