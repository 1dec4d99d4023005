#include "backends/gpu_core/partitions.h"

#include <algorithm>

namespace hal::gpu {

uint32_t GrantedUnits(uint32_t requested, uint32_t minimum, uint32_t alignment, uint32_t total) {
  const uint64_t wanted = std::max(requested, minimum);
  const uint64_t step = std::max<uint32_t>(alignment, 1);
  const uint64_t rounded = (wanted + step - 1) / step * step;
  return static_cast<uint32_t>(std::min<uint64_t>(rounded, total));
}

PartitionLedger::PartitionLedger(uint32_t total_units, uint32_t alignment)
    : total_units_(total_units),
      alignment_(std::max<uint32_t>(alignment, 1)),
      taken_((total_units + alignment_ - 1) / alignment_, false) {}

std::optional<std::vector<uint32_t>> PartitionLedger::Take(uint32_t units) {
  std::lock_guard lock(mutex_);
  // Full groups come first; the remainder group, last, only when needed.
  std::vector<uint32_t> groups;
  uint32_t found = 0;
  for (uint32_t i = 0; i < taken_.size() && found < units; ++i) {
    if (taken_[i]) continue;
    groups.push_back(i);
    found += group_units(i);
  }
  if (found < units) return std::nullopt;
  for (const uint32_t group : groups) taken_[group] = true;
  return groups;
}

void PartitionLedger::Give(const std::vector<uint32_t>& groups) {
  std::lock_guard lock(mutex_);
  for (const uint32_t group : groups) taken_[group] = false;
}

uint32_t PartitionLedger::free_units() const {
  std::lock_guard lock(mutex_);
  uint32_t units = 0;
  for (uint32_t i = 0; i < taken_.size(); ++i) {
    if (!taken_[i]) units += group_units(i);
  }
  return units;
}

uint32_t PartitionLedger::group_units(uint32_t index) const {
  return std::min(alignment_, total_units_ - index * alignment_);
}

}  // namespace hal::gpu
