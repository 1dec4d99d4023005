#include "backends/remote/range_allocator.h"

#include <iterator>

namespace hal::remote {

RangeAllocator::RangeAllocator(uint64_t capacity) : capacity_(capacity) {
  if (capacity_ > 0) free_.emplace(0, capacity_);
}

std::optional<uint64_t> RangeAllocator::Allocate(uint64_t size) {
  if (size == 0 || size > capacity_) return std::nullopt;
  const uint64_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const auto [offset, free_size] = *it;
    // The last range of a capacity that is not a multiple of kAlignment may
    // be shorter than `rounded` but still hold `size`.
    const uint64_t take = free_size >= rounded ? rounded : free_size >= size ? free_size : 0;
    if (take == 0) continue;
    free_.erase(it);
    if (free_size > take) free_.emplace(offset + take, free_size - take);
    used_.emplace(offset, take);
    allocated_bytes_ += take;
    return offset;
  }
  return std::nullopt;
}

bool RangeAllocator::Free(uint64_t offset) {
  const auto used = used_.find(offset);
  if (used == used_.end()) return false;
  uint64_t start = offset;
  uint64_t size = used->second;
  allocated_bytes_ -= size;
  used_.erase(used);
  // Merge with the free neighbours on either side.
  auto next = free_.lower_bound(start);
  if (next != free_.end() && next->first == start + size) {
    size += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    const auto previous = std::prev(next);
    if (previous->first + previous->second == start) {
      start = previous->first;
      size += previous->second;
      free_.erase(previous);
    }
  }
  free_.emplace(start, size);
  return true;
}

}  // namespace hal::remote
