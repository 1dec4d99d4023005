// The session's shared memory is carved into ranges for uploads and
// downloads in flight. Ranges come back in any order (streams complete out of
// order), so this is a first-fit free list rather than a ring. Not
// thread-safe: the connection guards it.
#ifndef HAL_BACKENDS_REMOTE_RANGE_ALLOCATOR_H_
#define HAL_BACKENDS_REMOTE_RANGE_ALLOCATOR_H_

#include <cstdint>
#include <map>
#include <optional>

namespace hal::remote {

class RangeAllocator {
 public:
  // Ranges start on multiples of this (a cache line), so neighbouring copies
  // never share one.
  static constexpr uint64_t kAlignment = 64;

  // Manages [0, capacity); capacity is a mapping's size, far below 2^63.
  explicit RangeAllocator(uint64_t capacity);

  uint64_t capacity() const { return capacity_; }
  // The offset of `size` (>= 1) free bytes; nullopt when no free range holds
  // them (the caller waits for a Free) or size exceeds capacity.
  std::optional<uint64_t> Allocate(uint64_t size);
  // Returns the range starting at `offset` that Allocate gave; false (and
  // nothing changes) when no allocated range starts there.
  bool Free(uint64_t offset);
  // Bytes currently handed out (rounded to kAlignment).
  uint64_t allocated_bytes() const { return allocated_bytes_; }

 private:
  uint64_t capacity_;
  uint64_t allocated_bytes_ = 0;
  std::map<uint64_t, uint64_t> free_;  // offset -> size, coalesced
  std::map<uint64_t, uint64_t> used_;  // offset -> rounded size
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_RANGE_ALLOCATOR_H_
