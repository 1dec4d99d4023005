#include "tests/fake_vendor/allocation_registry.h"

namespace hal::fake {

bool AllocationRegistry::Insert(const AllocationRange& range) {
  if (range.size == 0 || range.base + range.size < range.base) return false;
  std::lock_guard lock(mutex_);
  auto next = ranges_.lower_bound(range.base);
  if (next != ranges_.end() && next->first < range.base + range.size) return false;
  if (next != ranges_.begin()) {
    const AllocationRange& previous = std::prev(next)->second;
    if (previous.base + previous.size > range.base) return false;
  }
  ranges_.emplace(range.base, range);
  return true;
}

std::optional<AllocationRange> AllocationRegistry::Erase(uintptr_t base) {
  std::lock_guard lock(mutex_);
  const auto it = ranges_.find(base);
  if (it == ranges_.end()) return std::nullopt;
  AllocationRange range = it->second;
  ranges_.erase(it);
  return range;
}

std::optional<AllocationRange> AllocationRegistry::FindLocked(uintptr_t address) const {
  auto it = ranges_.upper_bound(address);
  if (it == ranges_.begin()) return std::nullopt;
  const AllocationRange& range = std::prev(it)->second;
  if (address - range.base >= range.size) return std::nullopt;
  return range;
}

std::optional<AllocationRange> AllocationRegistry::Find(uintptr_t address) const {
  std::lock_guard lock(mutex_);
  return FindLocked(address);
}

std::optional<AllocationRange> AllocationRegistry::FindSpan(uintptr_t address,
                                                            uint64_t size) const {
  std::lock_guard lock(mutex_);
  std::optional<AllocationRange> range = FindLocked(address);
  if (!range) return std::nullopt;
  const uint64_t available = range->base + range->size - address;
  if (size > available) return std::nullopt;
  return range;
}

std::vector<AllocationRange> AllocationRegistry::EraseAll() {
  std::lock_guard lock(mutex_);
  std::vector<AllocationRange> all;
  for (const auto& [base, range] : ranges_) all.push_back(range);
  ranges_.clear();
  return all;
}

}  // namespace hal::fake
