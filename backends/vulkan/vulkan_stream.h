// A stream: commands recorded into a command buffer and submitted in batches
// to the context's queue; each batch signals the next value of the stream's
// timeline semaphore, which is how completion is observed.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_STREAM_H_
#define HAL_BACKENDS_VULKAN_VULKAN_STREAM_H_

#include <array>
#include <deque>
#include <initializer_list>
#include <memory>
#include <vector>

#include "backends/vulkan/descriptor_set_pool.h"
#include "backends/vulkan/hazard_tracker.h"
#include "backends/vulkan/vulkan_event.h"
#include "backends/vulkan/vulkan_memory.h"
#include "backends/vulkan/vulkan_module.h"
#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context;

// Public calls are serialized by the runtime (the ABI's rule for a stream);
// each also holds the timeline's submit mutex, because an event's waiter on
// another thread may have the stream submit what it recorded.
class Stream final : public TimelineSubmitter {
 public:
  static hal_result Create(Context& context, std::unique_ptr<Stream>* out_stream);
  // Waits for the stream's work, then releases it.
  ~Stream() override;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  hal_result CopyHostToDevice(const void* src, const Buffer& dst, uint64_t dst_offset,
                              uint64_t size);
  hal_result CopyDeviceToHost(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size);
  hal_result CopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                        uint64_t dst_offset, uint64_t size);
  hal_result Fill(const Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern);
  hal_result Dispatch(const Kernel& kernel, const hal_dispatch_desc& desc);
  hal_result SignalEvent(Event& event);
  hal_result WaitEvent(const Event& event);
  hal_result Synchronize();
  // Without blocking: HAL_SUCCESS when every command completed, HAL_NOT_READY
  // while some are pending, or the first asynchronous error. Submits what was
  // recorded, so that polling alone makes progress.
  hal_result Query();

  Context& context() const { return context_; }

  hal_result SubmitRecorded() override { return Flush(); }
  hal_result CompleteHostWork() override { return DrainHostCopies(); }

 private:
  // Host copies go through a ring of staging slots in host-visible memory, a
  // chunk of up to one slot at a time: while the device copies one slot, the
  // host fills or drains another, instead of waiting for every chunk.
  static constexpr uint64_t kStagingSlotSize = 4ull << 20;
  static constexpr uint32_t kStagingSlots = 4;

  struct InFlight {
    VkCommandBuffer command_buffer;
    uint64_t value;                                    // the timeline value its batch signals
    std::vector<PooledDescriptorSet> descriptor_sets;  // bound by its dispatches
  };

  explicit Stream(Context& context) : context_(context) {}
  hal_result Open();
  // A device-to-host copy's second half: from staging to the user's memory
  // once the batch that filled staging completed.
  struct HostCopy {
    uint64_t value;  // the timeline value of the batch
    uint64_t staging_offset;
    void* dst;
    uint64_t size;
  };

  // The command buffer being recorded, begun if needed, with the barrier a
  // command of `scope` making `accesses` needs (none without a hazard).
  hal_result NextCommand(const CommandScope& scope, const Access* accesses, uint32_t count,
                         VkCommandBuffer* out_command_buffer);
  hal_result NextCommand(const CommandScope& scope, std::initializer_list<Access> accesses,
                         VkCommandBuffer* out_command_buffer) {
    return NextCommand(scope, accesses.begin(), static_cast<uint32_t>(accesses.size()),
                       out_command_buffer);
  }
  // Copies out of staging what completed batches copied into it.
  hal_result DrainHostCopies();
  // Whether a device-to-host copy through staging has yet to write some of
  // [dst, dst + size).
  bool HostCopyPendingInto(const void* dst, uint64_t size) const;
  // CopyBuffer, for a caller holding the submit mutex.
  hal_result RecordCopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                              uint64_t dst_offset, uint64_t size);
  // Tells the timeline's waiters which batch has host work left, if any.
  void PublishHostWork();
  // Submits what was recorded (no-op when nothing was and no wait pends).
  hal_result Flush();
  // After a failed submission: forgets what the lost batch would have done.
  void DropUnsubmitted();
  // Flushes and waits for all submitted work; staging is free afterwards.
  hal_result WaitIdle();
  hal_result Recycle();
  // A staging range of `size` bytes (<= kStagingSlotSize) in the current
  // slot. When the slot is full, its commands are submitted and the next slot
  // becomes current once the device is done with what used it before.
  hal_result ReserveStaging(uint64_t size, uint64_t* out_offset);
  // Keeps the first asynchronous error to report it at synchronize.
  hal_result Remember(hal_result result);
  // Binds the dispatch's buffers: pushed, or written into a recycled set.
  hal_result BindBuffers(VkCommandBuffer command_buffer, const Kernel& kernel,
                         const hal_dispatch_desc& desc);

  Context& context_;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  std::shared_ptr<Timeline> timeline_;
  uint64_t submitted_value_ = 0;
  VkCommandBuffer recording_ = VK_NULL_HANDLE;
  std::deque<InFlight> in_flight_;
  std::vector<VkCommandBuffer> idle_command_buffers_;
  std::vector<SignalPoint> pending_waits_;
  DescriptorSetPool descriptor_sets_{context_};
  // Sets bound in the batch being recorded; they go with it when submitted.
  std::vector<PooledDescriptorSet> recording_sets_;
  std::unique_ptr<Buffer> staging_;  // kStagingSlots slots of kStagingSlotSize
  uint32_t current_slot_ = 0;
  uint64_t current_slot_used_ = 0;  // bytes of the current slot handed out
  // Per slot, the timeline value that covers every batch which used it
  // (set when the slot stops being current).
  std::array<uint64_t, kStagingSlots> slot_busy_until_{};
  std::deque<HostCopy> host_copies_;  // oldest first
  HazardTracker hazards_;
  hal_result first_error_ = HAL_SUCCESS;
  uint64_t validation_errors_seen_ = 0;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_STREAM_H_
