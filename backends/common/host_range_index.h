// Host address ranges a driver knows (the mappings of its staging buffers,
// registered host memory), by base address: a host copy whose host side lies
// wholly in one can run as a copy between buffers, as CUDA treats pinned
// pointers (one device copy instead of a memcpy and a device copy).
#ifndef HAL_BACKENDS_COMMON_HOST_RANGE_INDEX_H_
#define HAL_BACKENDS_COMMON_HOST_RANGE_INDEX_H_

#include <cstdint>
#include <map>
#include <mutex>

namespace hal::driver_support {

// Thread-safe: ranges are added and removed by whichever thread creates or
// frees their buffer, and looked up by streams' callers.
template <typename T>
class HostRangeIndex {
 public:
  // [base, base + size) must not overlap a range already indexed (distinct
  // buffers have distinct memory); adding the same base again replaces it.
  void Add(const void* base, uint64_t size, T* value) {
    std::lock_guard<std::mutex> lock(mu_);
    by_base_[reinterpret_cast<uintptr_t>(base)] = {size, value};
  }

  // Before the range's memory goes away.
  void Remove(const void* base) {
    std::lock_guard<std::mutex> lock(mu_);
    by_base_.erase(reinterpret_cast<uintptr_t>(base));
  }

  // The value whose range holds all of [address, address + size), and the
  // offset of `address` in that range; nullptr when none does, or when size
  // is 0 (no bytes to copy lie in any buffer).
  T* Find(const void* address, uint64_t size, uint64_t* offset) const {
    if (size == 0) return nullptr;
    const auto start = reinterpret_cast<uintptr_t>(address);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_base_.upper_bound(start);  // the first range above start
    if (it == by_base_.begin()) return nullptr;
    --it;
    const Entry& entry = it->second;
    const uint64_t at = start - it->first;  // start >= it->first: no wrap
    if (at >= entry.size || size > entry.size - at) return nullptr;
    *offset = at;
    return entry.value;
  }

 private:
  struct Entry {
    uint64_t size;
    T* value;
  };

  mutable std::mutex mu_;
  std::map<uintptr_t, Entry> by_base_;  // guarded by mu_
};

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_HOST_RANGE_INDEX_H_
