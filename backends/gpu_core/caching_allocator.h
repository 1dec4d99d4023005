// The caching sub-allocator of the GPU drivers: freed device memory is kept
// for reuse, so a steady allocate/free loop makes no vendor call (cuMemAlloc
// and cuMemFree synchronize the device and cost tens of microseconds).
//
// Sizes are rounded to size classes (four per power of two from 2 KiB, 512 B
// steps below, 2 MiB steps above 64 MiB); a request reuses a cached block of
// its class, or for large sizes the smallest cached block at most 1/8 larger.
// The rounded block size is what the buffer really takes (out_allocated_size).
//
// Accounting (hal_context_memory_accounting): every byte held in the cache is
// charged before it is kept and uncharged when it leaves the cache (reused or
// given back), so vendor bytes held == live blocks' sizes + charged cache
// bytes at every quiescent point. A refused charge gives the block back to
// the vendor. The cache never holds more than its limit.
#ifndef HAL_BACKENDS_GPU_CORE_CACHING_ALLOCATOR_H_
#define HAL_BACKENDS_GPU_CORE_CACHING_ALLOCATOR_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

// The vendor's allocation calls (cuMemAlloc/cuMemFree, hipMalloc/hipFree).
class BlockProvider {
 public:
  virtual ~BlockProvider() = default;
  // On failure the provider has recorded the thread's message (Fail);
  // HAL_ERROR_OUT_OF_MEMORY means the device is full.
  virtual hal_result AllocateBlock(uint64_t size, uint64_t* out_address) = 0;
  virtual void FreeBlock(uint64_t address, uint64_t size) = 0;
};

struct MemoryBlock {
  uint64_t address = 0;
  uint64_t size = 0;  // the rounded size, as allocated from the vendor
};

class CachingAllocator {
 public:
  // `accounting` may be null: then the cache holds at most
  // `default_limit_bytes` and charges nothing. The allocator copies what it
  // needs from `accounting`.
  CachingAllocator(BlockProvider& provider, const hal_context_memory_accounting* accounting,
                   uint64_t default_limit_bytes);
  // Gives the cache back (uncharging it). Live blocks must have been freed.
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // The size a request of `size` bytes takes.
  static uint64_t RoundedSize(uint64_t size);

  // A cached block when one fits, else a new vendor block; on the vendor's
  // HAL_ERROR_OUT_OF_MEMORY the cache is trimmed and the vendor asked once more.
  hal_result Allocate(uint64_t size, MemoryBlock* out_block);
  // Keeps `block` for reuse (charging it) or gives it back to the vendor.
  void Free(const MemoryBlock& block);
  // Gives every cached block back to the vendor, uncharging it.
  void Trim();

  uint64_t cached_bytes() const;
  uint64_t limit_bytes() const { return limit_bytes_; }

 private:
  bool TakeCached(uint64_t rounded, MemoryBlock* out_block);

  BlockProvider& provider_;
  const uint64_t limit_bytes_;
  void* const user_;
  hal_result (*const charge_)(void* user, uint64_t bytes);
  void (*const uncharge_)(void* user, uint64_t bytes);

  mutable std::mutex mutex_;
  // Cached block addresses by block size. Emptied lists stay, so a steady
  // loop over one size allocates no map node.
  std::map<uint64_t, std::vector<uint64_t>> free_blocks_;
  uint64_t cached_bytes_ = 0;
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_CACHING_ALLOCATOR_H_
