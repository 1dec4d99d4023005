// Compute-partition arithmetic shared by the GPU drivers: how many units a
// context asking for N gets, and which units of a device are free, so that
// the partitions of one device never overlap (green contexts made from the
// same SM resource would otherwise share SMs, CU masks the same CUs).
#ifndef HAL_BACKENDS_GPU_CORE_PARTITIONS_H_
#define HAL_BACKENDS_GPU_CORE_PARTITIONS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace hal::gpu {

// max(requested, minimum) rounded up to a multiple of `alignment` (>= 1),
// capped at `total`. Asking 33 SMs of an H100 (minimum 8, alignment 8, 132
// SMs) grants 40.
uint32_t GrantedUnits(uint32_t requested, uint32_t minimum, uint32_t alignment, uint32_t total);

// The units of one device in groups of `alignment` (the last group holds the
// remainder when the total is not a multiple), handed to partitions.
// Thread-safe.
class PartitionLedger {
 public:
  PartitionLedger(uint32_t total_units, uint32_t alignment);

  // Free groups holding `units` (from GrantedUnits), now taken; nullopt when
  // the free groups hold fewer.
  std::optional<std::vector<uint32_t>> Take(uint32_t units);
  void Give(const std::vector<uint32_t>& groups);
  // Units in the free groups.
  uint32_t free_units() const;
  // Units of group `index` (the alignment, less for a remainder group).
  uint32_t group_units(uint32_t index) const;
  uint32_t alignment() const { return alignment_; }

 private:
  const uint32_t total_units_;
  const uint32_t alignment_;
  mutable std::mutex mutex_;
  std::vector<bool> taken_;  // one per group
};

// The CU mask of ledger groups `groups` (hipExtStreamCreateWithCUMask's
// words: bit i of word i / 32 enables compute unit i): group g holds the
// units [g * alignment, (g + 1) * alignment) below `total_units`.
std::vector<uint32_t> CuMask(const std::vector<uint32_t>& groups, uint32_t alignment,
                             uint32_t total_units);

// How many CUs an AMD processor's CU masks enable together: 2 from gfx10 on
// (RDNA schedules work-group processors of two CUs, whose mask bits must be
// set together), 1 before (GCN, CDNA). `processor` as "gfx90a".
uint32_t CuMaskGranularity(std::string_view processor);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_PARTITIONS_H_
