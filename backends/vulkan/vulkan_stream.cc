#include "backends/vulkan/vulkan_stream.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"
#include "backends/vulkan/vulkan_instance.h"

namespace hal::vulkan {
namespace {

// Makes everything written before it on the queue visible to the host once
// the batch's timeline value is reached.
void HostBarrier(const DeviceSymbols& vk, VkCommandBuffer command_buffer) {
  VkMemoryBarrier barrier{.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vk.vkCmdPipelineBarrier(command_buffer, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                          VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

// A buffer range a copy reads, or writes.
Access Range(const Buffer& buffer, uint64_t offset, uint64_t size, bool write) {
  return {buffer.vk_buffer(), buffer.offset + offset, buffer.offset + offset + size, !write, write};
}

}  // namespace

hal_result Stream::Create(Context& context, std::unique_ptr<Stream>* out_stream) {
  std::unique_ptr<Stream> stream(new Stream(context));
  HAL_RETURN_IF_FAILED(stream->Open());
  *out_stream = std::move(stream);
  return HAL_SUCCESS;
}

hal_result Stream::Open() {
  const Instance* instance = Instance::Get();
  validation_errors_seen_ = instance->validation_error_count();
  VkCommandPoolCreateInfo info{.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  info.queueFamilyIndex = context_.queue_family();
  HAL_VK_RETURN_IF_ERROR(
      context_.vk().vkCreateCommandPool(context_.device(), &info, nullptr, &command_pool_));
  HAL_RETURN_IF_FAILED(Timeline::Create(context_, &timeline_));
  submitted_value_ = timeline_->initial_value();
  std::lock_guard lock(timeline_->submit_mutex());
  timeline_->set_submitter(this);
  return HAL_SUCCESS;
}

Stream::~Stream() {
  if (timeline_ != nullptr) {  // null when Open failed before creating it
    std::lock_guard lock(timeline_->submit_mutex());
    WaitIdle();
    timeline_->set_submitter(nullptr);
  }
  // Destroying the pool frees its command buffers.
  if (command_pool_ != VK_NULL_HANDLE) {
    context_.vk().vkDestroyCommandPool(context_.device(), command_pool_, nullptr);
  }
  if (staging_ != nullptr) context_.staging_memory().Free(std::move(staging_));
}

hal_result Stream::Remember(hal_result result) {
  if (result != HAL_SUCCESS && first_error_ == HAL_SUCCESS) first_error_ = result;
  return result;
}

hal_result Stream::Recycle() {
  while (!in_flight_.empty()) {
    bool reached = false;
    HAL_RETURN_IF_FAILED(timeline_->Reached(in_flight_.front().value, &reached));
    if (!reached) break;
    idle_command_buffers_.push_back(in_flight_.front().command_buffer);
    descriptor_sets_.Return(in_flight_.front().descriptor_sets);
    in_flight_.pop_front();
  }
  return DrainHostCopies();
}

hal_result Stream::DrainHostCopies() {
  while (!host_copies_.empty()) {
    const HostCopy& copy = host_copies_.front();
    bool reached = false;
    HAL_RETURN_IF_FAILED(timeline_->Reached(copy.value, &reached));
    if (!reached) break;
    std::memcpy(copy.dst, staging_->host() + copy.staging_offset, copy.size);
    host_copies_.pop_front();
  }
  PublishHostWork();
  return HAL_SUCCESS;
}

bool Stream::HostCopyPendingInto(const void* dst, uint64_t size) const {
  const auto begin = reinterpret_cast<uintptr_t>(dst);
  return std::any_of(host_copies_.begin(), host_copies_.end(), [&](const HostCopy& copy) {
    const auto copy_begin = reinterpret_cast<uintptr_t>(copy.dst);
    return copy_begin < begin + size && begin < copy_begin + copy.size;
  });
}

hal_result Stream::NextCommand(const CommandScope& scope, const Access* accesses, uint32_t count,
                               VkCommandBuffer* out_command_buffer) {
  const DeviceSymbols& vk = context_.vk();
  if (recording_ == VK_NULL_HANDLE) {
    HAL_RETURN_IF_FAILED(Recycle());
    if (idle_command_buffers_.empty()) {
      VkCommandBufferAllocateInfo info{.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
      info.commandPool = command_pool_;
      info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
      info.commandBufferCount = 1;
      VkCommandBuffer command_buffer = VK_NULL_HANDLE;
      HAL_VK_RETURN_IF_ERROR(
          vk.vkAllocateCommandBuffers(context_.device(), &info, &command_buffer));
      idle_command_buffers_.push_back(command_buffer);
    }
    VkCommandBuffer command_buffer = idle_command_buffers_.back();
    VkCommandBufferBeginInfo begin{.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    HAL_VK_RETURN_IF_ERROR(vk.vkBeginCommandBuffer(command_buffer, &begin));
    idle_command_buffers_.pop_back();
    recording_ = command_buffer;
  }
  hazards_.Before(vk, recording_, scope, accesses, count);
  *out_command_buffer = recording_;
  return HAL_SUCCESS;
}

void Stream::PublishHostWork() {
  timeline_->set_host_work_from(host_copies_.empty() ? UINT64_MAX : host_copies_.front().value);
}

void Stream::DropUnsubmitted() {
  descriptor_sets_.Return(std::exchange(recording_sets_, {}));
  // The batch that would have filled their staging never runs; a later batch
  // signals its timeline value, which must not copy stale staging out.
  while (!host_copies_.empty() && host_copies_.back().value > submitted_value_) {
    host_copies_.pop_back();
  }
  PublishHostWork();
}

hal_result Stream::Flush() {
  if (recording_ == VK_NULL_HANDLE && pending_waits_.empty()) return HAL_SUCCESS;
  const DeviceSymbols& vk = context_.vk();
  VkCommandBuffer command_buffer = recording_;
  recording_ = VK_NULL_HANDLE;
  if (command_buffer != VK_NULL_HANDLE) {
    HostBarrier(vk, command_buffer);
    if (const VkResult result = vk.vkEndCommandBuffer(command_buffer); result != VK_SUCCESS) {
      idle_command_buffers_.push_back(command_buffer);
      DropUnsubmitted();
      return Remember(FailVk("vkEndCommandBuffer", result));
    }
  }
  std::vector<VkSemaphore> wait_semaphores;
  std::vector<uint64_t> wait_values;
  for (const SignalPoint& wait : pending_waits_) {
    wait_semaphores.push_back(wait.timeline->semaphore());
    wait_values.push_back(wait.value);
  }
  const std::vector<VkPipelineStageFlags> wait_stages(wait_semaphores.size(),
                                                      VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
  const uint64_t signal_value = submitted_value_ + 1;
  VkTimelineSemaphoreSubmitInfo timeline_info{.sType =
                                                  VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  timeline_info.waitSemaphoreValueCount = static_cast<uint32_t>(wait_values.size());
  timeline_info.pWaitSemaphoreValues = wait_values.data();
  timeline_info.signalSemaphoreValueCount = 1;
  timeline_info.pSignalSemaphoreValues = &signal_value;
  const VkSemaphore signal_semaphore = timeline_->semaphore();
  VkSubmitInfo submit{.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.pNext = &timeline_info;
  submit.waitSemaphoreCount = static_cast<uint32_t>(wait_semaphores.size());
  submit.pWaitSemaphores = wait_semaphores.data();
  submit.pWaitDstStageMask = wait_stages.data();
  submit.commandBufferCount = command_buffer == VK_NULL_HANDLE ? 0 : 1;
  submit.pCommandBuffers = &command_buffer;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &signal_semaphore;
  if (const VkResult result = context_.Submit(submit); result != VK_SUCCESS) {
    if (command_buffer != VK_NULL_HANDLE) idle_command_buffers_.push_back(command_buffer);
    DropUnsubmitted();
    return Remember(FailVk("vkQueueSubmit", result));
  }
  pending_waits_.clear();
  submitted_value_ = signal_value;
  timeline_->MarkSubmitted(signal_value);
  if (command_buffer != VK_NULL_HANDLE) {
    in_flight_.push_back({command_buffer, signal_value, std::exchange(recording_sets_, {})});
  }
  return HAL_SUCCESS;
}

hal_result Stream::WaitIdle() {
  HAL_RETURN_IF_FAILED(Flush());
  HAL_RETURN_IF_FAILED(Remember(timeline_->Wait(submitted_value_)));
  // Every slot is free now; the others are reset when they become current.
  current_slot_used_ = 0;
  return Recycle();
}

hal_result Stream::ReserveStaging(uint64_t size, uint64_t* out_offset) {
  if (staging_ == nullptr) {
    HAL_RETURN_IF_FAILED(
        context_.staging_memory().Allocate(kStagingSlotSize * kStagingSlots, &staging_));
  }
  if (current_slot_used_ + size > kStagingSlotSize) {
    // Submitting the full slot's commands lets the device copy it while the
    // host works on the next one.
    HAL_RETURN_IF_FAILED(Flush());
    slot_busy_until_[current_slot_] = submitted_value_;
    current_slot_ = (current_slot_ + 1) % kStagingSlots;
    // A slot is reused only once the batches reading or writing it completed
    // and what they copied into it was copied out.
    HAL_RETURN_IF_FAILED(Remember(timeline_->Wait(slot_busy_until_[current_slot_])));
    HAL_RETURN_IF_FAILED(DrainHostCopies());
    current_slot_used_ = 0;
  }
  *out_offset = current_slot_ * kStagingSlotSize + current_slot_used_;
  current_slot_used_ += size;
  return HAL_SUCCESS;
}

hal_result Stream::CopyHostToDevice(const void* src, const Buffer& dst, uint64_t dst_offset,
                                    uint64_t size) {
  std::lock_guard lock(timeline_->submit_mutex());
  // From inside a staging or registered buffer's mapping: the bytes are in
  // device-visible memory already, one buffer copy moves them. The host's
  // writes before this call are visible to the device at submission.
  uint64_t src_offset = 0;
  if (const Buffer* mapped = context_.mapped_buffers().Find(src, size, &src_offset)) {
    return RecordCopyBuffer(*mapped, src_offset, dst, dst_offset, size);
  }
  const auto* bytes = static_cast<const std::byte*>(src);
  for (uint64_t done = 0; done < size;) {
    const uint64_t chunk = std::min(size - done, kStagingSlotSize);
    uint64_t staging_offset = 0;
    HAL_RETURN_IF_FAILED(ReserveStaging(chunk, &staging_offset));
    std::memcpy(staging_->host() + staging_offset, bytes + done, chunk);
    VkCommandBuffer command_buffer = VK_NULL_HANDLE;
    HAL_RETURN_IF_FAILED(NextCommand(kTransferScope,
                                     {Range(*staging_, staging_offset, chunk, false),
                                      Range(dst, dst_offset + done, chunk, true)},
                                     &command_buffer));
    const VkBufferCopy region{staging_->offset + staging_offset, dst.offset + dst_offset + done,
                              chunk};
    context_.vk().vkCmdCopyBuffer(command_buffer, staging_->vk_buffer(), dst.vk_buffer(), 1,
                                  &region);
    done += chunk;
  }
  return HAL_SUCCESS;
}

hal_result Stream::CopyDeviceToHost(const Buffer& src, uint64_t src_offset, void* dst,
                                    uint64_t size) {
  std::lock_guard lock(timeline_->submit_mutex());
  // Into a staging or registered buffer's mapping: one buffer copy, which
  // the barrier closing its batch (HostBarrier) makes visible to the host
  // once the batch completed, as the ring's copies are. Not while an earlier
  // copy through the ring has yet to write some of those bytes: it would
  // land after this one.
  uint64_t dst_offset = 0;
  if (const Buffer* mapped = context_.mapped_buffers().Find(dst, size, &dst_offset);
      mapped != nullptr && !HostCopyPendingInto(dst, size)) {
    return RecordCopyBuffer(src, src_offset, *mapped, dst_offset, size);
  }
  // Each chunk is copied into staging by the open batch and out of it by the
  // host once that batch completed (DrainHostCopies): at synchronize, when an
  // event after it is waited for or found reached, or when its staging slot
  // or a command buffer is needed again. The call returns without waiting
  // unless the copy needs more staging than earlier copies left free.
  auto* bytes = static_cast<std::byte*>(dst);
  for (uint64_t done = 0; done < size;) {
    const uint64_t chunk = std::min(size - done, kStagingSlotSize);
    uint64_t staging_offset = 0;
    HAL_RETURN_IF_FAILED(ReserveStaging(chunk, &staging_offset));
    VkCommandBuffer command_buffer = VK_NULL_HANDLE;
    HAL_RETURN_IF_FAILED(NextCommand(kTransferScope,
                                     {Range(src, src_offset + done, chunk, false),
                                      Range(*staging_, staging_offset, chunk, true)},
                                     &command_buffer));
    const VkBufferCopy region{src.offset + src_offset + done, staging_->offset + staging_offset,
                              chunk};
    context_.vk().vkCmdCopyBuffer(command_buffer, src.vk_buffer(), staging_->vk_buffer(), 1,
                                  &region);
    host_copies_.push_back({submitted_value_ + 1, staging_offset, bytes + done, chunk});
    PublishHostWork();
    done += chunk;
  }
  return HAL_SUCCESS;
}

hal_result Stream::CopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                              uint64_t dst_offset, uint64_t size) {
  std::lock_guard lock(timeline_->submit_mutex());
  return RecordCopyBuffer(src, src_offset, dst, dst_offset, size);
}

hal_result Stream::RecordCopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                                    uint64_t dst_offset, uint64_t size) {
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  HAL_RETURN_IF_FAILED(NextCommand(
      kTransferScope, {Range(src, src_offset, size, false), Range(dst, dst_offset, size, true)},
      &command_buffer));
  const VkBufferCopy region{src.offset + src_offset, dst.offset + dst_offset, size};
  context_.vk().vkCmdCopyBuffer(command_buffer, src.vk_buffer(), dst.vk_buffer(), 1, &region);
  return HAL_SUCCESS;
}

hal_result Stream::Fill(const Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern) {
  std::lock_guard lock(timeline_->submit_mutex());
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  HAL_RETURN_IF_FAILED(
      NextCommand(kTransferScope, {Range(dst, offset, size, true)}, &command_buffer));
  context_.vk().vkCmdFillBuffer(command_buffer, dst.vk_buffer(), dst.offset + offset, size,
                                pattern);
  return HAL_SUCCESS;
}

hal_result Stream::BindBuffers(VkCommandBuffer command_buffer, const Kernel& kernel,
                               const hal_dispatch_desc& desc) {
  const DeviceSymbols& vk = context_.vk();
  VkDescriptorBufferInfo buffers[HAL_MAX_BINDINGS];
  VkWriteDescriptorSet writes[HAL_MAX_BINDINGS];
  for (uint32_t i = 0; i < desc.binding_count; ++i) {
    // A buffer handle is the driver's Buffer (vulkan_handles.h).
    const Buffer& buffer = *reinterpret_cast<const Buffer*>(desc.bindings[i].buffer);
    const uint64_t offset = desc.bindings[i].offset;
    buffers[i] =
        VkDescriptorBufferInfo{buffer.vk_buffer(), buffer.offset + offset, buffer.size - offset};
    writes[i] = VkWriteDescriptorSet{.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &buffers[i];
  }
  if (context_.physical().push_descriptors) {
    vk.vkCmdPushDescriptorSetKHR(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE,
                                 kernel.pipeline_layout, 0, desc.binding_count, writes);
    return HAL_SUCCESS;
  }
  // A set no pending batch uses, so it may be written now; it returns to the
  // pool when this batch completes (Recycle).
  PooledDescriptorSet set;
  HAL_RETURN_IF_FAILED(descriptor_sets_.Acquire(kernel.set_layout, desc.binding_count, &set));
  recording_sets_.push_back(set);
  for (uint32_t i = 0; i < desc.binding_count; ++i) writes[i].dstSet = set.set;
  vk.vkUpdateDescriptorSets(context_.device(), desc.binding_count, writes, 0, nullptr);
  vk.vkCmdBindDescriptorSets(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline_layout,
                             0, 1, &set.set, 0, nullptr);
  return HAL_SUCCESS;
}

hal_result Stream::Dispatch(const Kernel& kernel, const hal_dispatch_desc& desc) {
  std::lock_guard lock(timeline_->submit_mutex());
  const DeviceSymbols& vk = context_.vk();
  // The kernel may read and write each binding.
  Access accesses[HAL_MAX_BINDINGS];
  for (uint32_t i = 0; i < desc.binding_count; ++i) {
    const Buffer& buffer = *reinterpret_cast<const Buffer*>(desc.bindings[i].buffer);
    accesses[i] = Range(buffer, desc.bindings[i].offset, buffer.size - desc.bindings[i].offset,
                        /*write=*/true);
    accesses[i].read = true;
  }
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  HAL_RETURN_IF_FAILED(NextCommand(kComputeScope, accesses, desc.binding_count, &command_buffer));
  vk.vkCmdBindPipeline(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline);
  if (desc.binding_count > 0) HAL_RETURN_IF_FAILED(BindBuffers(command_buffer, kernel, desc));
  if (desc.push_constant_size > 0) {
    vk.vkCmdPushConstants(command_buffer, kernel.pipeline_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                          desc.push_constant_size, desc.push_constants);
  }
  vk.vkCmdDispatch(command_buffer, desc.workgroup_count[0], desc.workgroup_count[1],
                   desc.workgroup_count[2]);
  return HAL_SUCCESS;
}

hal_result Stream::SignalEvent(Event& event) {
  std::lock_guard lock(timeline_->submit_mutex());
  const DeviceSymbols& vk = context_.vk();
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  // A bottom-of-pipe timestamp waits for every earlier command by itself.
  HAL_RETURN_IF_FAILED(NextCommand(kTransferScope, nullptr, 0, &command_buffer));
  vk.vkCmdResetQueryPool(command_buffer, event.query_pool(), 0, 1);
  vk.vkCmdWriteTimestamp(command_buffer, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, event.query_pool(),
                         0);
  // The open batch will signal the next timeline value when it is submitted:
  // later, with other work, or when someone waits for the event first
  // (Timeline::EnsureSubmitted).
  event.SetLatestSignal({timeline_, submitted_value_ + 1});
  return HAL_SUCCESS;
}

hal_result Stream::WaitEvent(const Event& event) {
  SignalPoint point = event.latest_signal();
  if (point.timeline == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION,
                "cannot make a stream wait for an event that was never signalled");
  }
  // The stream's own signals are already ordered before its later work.
  if (point.timeline == timeline_) return HAL_SUCCESS;
  // The signalling stream must submit the signal, or this one would wait
  // for ever; that takes its lock, so before this stream takes its own.
  HAL_RETURN_IF_FAILED(point.timeline->EnsureSubmitted(point.value, /*may_block=*/true));
  std::lock_guard lock(timeline_->submit_mutex());
  // Earlier work need not wait: submit it, then make the next batch wait.
  HAL_RETURN_IF_FAILED(Flush());
  pending_waits_.push_back(std::move(point));
  return HAL_SUCCESS;
}

hal_result Stream::Synchronize() {
  std::lock_guard lock(timeline_->submit_mutex());
  const hal_result waited = WaitIdle();
  HAL_RETURN_IF_FAILED(CheckValidation(&validation_errors_seen_));
  if (waited != HAL_SUCCESS) return waited;
  return first_error_;
}

hal_result Stream::Query() {
  std::lock_guard lock(timeline_->submit_mutex());
  HAL_RETURN_IF_FAILED(Flush());
  // Recycling copies out what completed device-to-host copies left in staging.
  HAL_RETURN_IF_FAILED(Remember(Recycle()));
  HAL_RETURN_IF_FAILED(CheckValidation(&validation_errors_seen_));
  if (first_error_ != HAL_SUCCESS) return first_error_;
  bool reached = false;
  HAL_RETURN_IF_FAILED(Remember(timeline_->Reached(submitted_value_, &reached)));
  return reached && host_copies_.empty() ? HAL_SUCCESS : HAL_NOT_READY;
}

}  // namespace hal::vulkan
