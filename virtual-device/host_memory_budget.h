// The host memory a pool's residency managers may hold for evicted buffers'
// contents: one limit shared by all devices of the pool (PoolOptions::
// host_memory_limit_bytes), so an eviction past it fails with
// ResourceExhausted instead of the host running out. Thread-safe.
#ifndef HAL_VIRTUAL_DEVICE_HOST_MEMORY_BUDGET_H_
#define HAL_VIRTUAL_DEVICE_HOST_MEMORY_BUDGET_H_

#include <atomic>
#include <cstdint>

namespace hal::internal {

class HostMemoryBudget {
 public:
  explicit HostMemoryBudget(uint64_t limit) : limit_(limit) {}

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Takes `bytes`, or nothing and false if that would pass the limit.
  bool Take(uint64_t bytes) {
    uint64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void Give(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_HOST_MEMORY_BUDGET_H_
