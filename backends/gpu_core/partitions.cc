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

std::vector<uint32_t> CuMask(const std::vector<uint32_t>& groups, uint32_t alignment,
                             uint32_t total_units) {
  std::vector<uint32_t> mask((total_units + 31) / 32, 0);
  const uint32_t step = std::max<uint32_t>(alignment, 1);
  for (const uint32_t group : groups) {
    const uint64_t end = std::min<uint64_t>(uint64_t{group + 1} * step, total_units);
    for (uint64_t unit = uint64_t{group} * step; unit < end; ++unit) {
      mask[unit / 32] |= 1u << (unit % 32);
    }
  }
  return mask;
}

uint32_t CuMaskGranularity(std::string_view processor) {
  // "gfx" then the major version: one digit before gfx10 (gfx908, gfx90a,
  // gfx942), two from it (gfx1030, gfx1100).
  return processor.size() >= 7 && processor.starts_with("gfx") ? 2 : 1;
}

}  // namespace hal::gpu
