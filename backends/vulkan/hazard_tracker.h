// Which buffer ranges a stream's commands read and wrote since its last
// barrier, so that a barrier is recorded only before a command that reads
// something pending a write (RAW), or writes something pending a read or a
// write (WAR, WAW), instead of before every command. Barriers order
// everything earlier on the queue, earlier batches included, so the state
// spans batches.
#ifndef HAL_BACKENDS_VULKAN_HAZARD_TRACKER_H_
#define HAL_BACKENDS_VULKAN_HAZARD_TRACKER_H_

#include <cstdint>
#include <vector>

#include "backends/vulkan/vulkan_symbols.h"

namespace hal::vulkan {

// A command's access to a range of a VkBuffer.
struct Access {
  VkBuffer buffer = VK_NULL_HANDLE;
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive
  bool read = false;
  bool write = false;
};

// What one kind of command does: its stage and access masks.
struct CommandScope {
  VkPipelineStageFlags stage;
  VkAccessFlags read_access;
  VkAccessFlags write_access;
};
inline constexpr CommandScope kTransferScope{
    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_ACCESS_TRANSFER_WRITE_BIT};
inline constexpr CommandScope kComputeScope{VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                                            VK_ACCESS_SHADER_READ_BIT, VK_ACCESS_SHADER_WRITE_BIT};

inline constexpr CommandScope kAllScopes{kTransferScope.stage | kComputeScope.stage,
                                         kTransferScope.read_access | kComputeScope.read_access,
                                         kTransferScope.write_access | kComputeScope.write_access};

class HazardTracker {
 public:
  HazardTracker() { pending_.reserve(kMaxPending); }

  // Records into `command_buffer` the barrier a command of `scope` making
  // `accesses` needs, if any, and then notes its accesses as pending.
  void Before(const DeviceSymbols& vk, VkCommandBuffer command_buffer, const CommandScope& scope,
              const Access* accesses, uint32_t count);

 private:
  // Past this many pending ranges a barrier is recorded anyway: checking
  // stays cheap, and nothing is allocated once warm.
  static constexpr size_t kMaxPending = 64;

  struct Pending {
    Access access;
    VkPipelineStageFlags stage;
    VkAccessFlags write_access;  // 0 for a read alone
  };
  bool Conflicts(const Access& access) const;

  std::vector<Pending> pending_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_HAZARD_TRACKER_H_
