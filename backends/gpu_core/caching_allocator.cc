#include "backends/gpu_core/caching_allocator.h"

#include <bit>
#include <utility>

#include "backends/gpu_core/driver_error.h"

namespace hal::gpu {
namespace {

constexpr uint64_t kMinStep = 512;              // cuMemAlloc's own rounding
constexpr uint64_t kLargeSize = uint64_t{64} << 20;
constexpr uint64_t kLargeStep = uint64_t{2} << 20;

uint64_t RoundUp(uint64_t value, uint64_t step) { return (value + step - 1) / step * step; }

hal_result ChargeNothing(void*, uint64_t) { return HAL_SUCCESS; }
void UnchargeNothing(void*, uint64_t) {}

}  // namespace

CachingAllocator::CachingAllocator(BlockProvider& provider,
                                   const hal_context_memory_accounting* accounting,
                                   uint64_t default_limit_bytes)
    : provider_(provider),
      limit_bytes_(accounting != nullptr ? accounting->cache_limit_bytes : default_limit_bytes),
      user_(accounting != nullptr ? accounting->user : nullptr),
      charge_(accounting != nullptr && accounting->charge != nullptr ? accounting->charge
                                                                     : &ChargeNothing),
      uncharge_(accounting != nullptr && accounting->uncharge != nullptr ? accounting->uncharge
                                                                         : &UnchargeNothing) {}

CachingAllocator::~CachingAllocator() { Trim(); }

uint64_t CachingAllocator::RoundedSize(uint64_t size) {
  if (size <= 4 * kMinStep) return RoundUp(size == 0 ? 1 : size, kMinStep);
  if (size > kLargeSize) return RoundUp(size, kLargeStep);
  // Four classes per power of two: the step is a quarter of the power below.
  const uint64_t step = uint64_t{1} << (std::bit_width(size - 1) - 3);
  return RoundUp(size, step);
}

bool CachingAllocator::TakeCached(uint64_t rounded, MemoryBlock* out_block) {
  const uint64_t largest_fit = rounded + rounded / 8;
  std::lock_guard lock(mutex_);
  for (auto it = free_blocks_.lower_bound(rounded);
       it != free_blocks_.end() && it->first <= largest_fit; ++it) {
    if (it->second.empty()) continue;
    out_block->address = it->second.back();
    out_block->size = it->first;
    it->second.pop_back();
    cached_bytes_ -= it->first;
    // The runtime charges the buffer itself; the cache stops holding it.
    uncharge_(user_, it->first);
    return true;
  }
  return false;
}

hal_result CachingAllocator::Allocate(uint64_t size, MemoryBlock* out_block) {
  const uint64_t rounded = RoundedSize(size);
  if (TakeCached(rounded, out_block)) return HAL_SUCCESS;
  uint64_t address = 0;
  hal_result result = provider_.AllocateBlock(rounded, &address);
  if (result == HAL_ERROR_OUT_OF_MEMORY && cached_bytes() > 0) {
    Trim();
    result = provider_.AllocateBlock(rounded, &address);
  }
  if (result != HAL_SUCCESS) return result;
  *out_block = MemoryBlock{address, rounded};
  return HAL_SUCCESS;
}

void CachingAllocator::Free(const MemoryBlock& block) {
  {
    std::lock_guard lock(mutex_);
    if (cached_bytes_ + block.size <= limit_bytes_ && charge_(user_, block.size) == HAL_SUCCESS) {
      free_blocks_[block.size].push_back(block.address);
      cached_bytes_ += block.size;
      return;
    }
  }
  provider_.FreeBlock(block.address, block.size);
}

void CachingAllocator::Trim() {
  std::map<uint64_t, std::vector<uint64_t>> released;
  {
    std::lock_guard lock(mutex_);
    released = std::exchange(free_blocks_, {});
    cached_bytes_ = 0;
  }
  for (const auto& [size, addresses] : released) {
    for (const uint64_t address : addresses) {
      provider_.FreeBlock(address, size);
      uncharge_(user_, size);
    }
  }
}

uint64_t CachingAllocator::cached_bytes() const {
  std::lock_guard lock(mutex_);
  return cached_bytes_;
}

}  // namespace hal::gpu
