#include "backends/vulkan/hazard_tracker.h"

namespace hal::vulkan {

bool HazardTracker::Conflicts(const Access& access) const {
  for (const Pending& pending : pending_) {
    const Access& earlier = pending.access;
    if (earlier.buffer != access.buffer || earlier.end <= access.begin ||
        access.end <= earlier.begin) {
      continue;
    }
    // Two reads of the same bytes need no ordering; anything else does.
    if (earlier.write || access.write) return true;
  }
  return false;
}

void HazardTracker::Before(const DeviceSymbols& vk, VkCommandBuffer command_buffer,
                           const CommandScope& scope, const Access* accesses, uint32_t count) {
  bool hazard = pending_.size() + count > kMaxPending;
  for (uint32_t i = 0; i < count && !hazard; ++i) hazard = Conflicts(accesses[i]);
  if (hazard) {
    // The barrier orders everything pending before every later command of
    // either kind, not only this one's: only then may it forget them all.
    VkPipelineStageFlags src_stage = 0;
    VkMemoryBarrier barrier{.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    for (const Pending& pending : pending_) {
      src_stage |= pending.stage;
      barrier.srcAccessMask |= pending.write_access;
    }
    barrier.dstAccessMask = kAllScopes.read_access | kAllScopes.write_access;
    // A write-after-read needs only the execution dependency.
    vk.vkCmdPipelineBarrier(command_buffer, src_stage, kAllScopes.stage, 0,
                            barrier.srcAccessMask == 0 ? 0 : 1, &barrier, 0, nullptr, 0, nullptr);
    pending_.clear();
  }
  for (uint32_t i = 0; i < count; ++i) {
    pending_.push_back(
        {accesses[i], scope.stage, accesses[i].write ? scope.write_access : VkAccessFlags{0}});
  }
}

}  // namespace hal::vulkan
