#include "backends/vulkan/vulkan_event.h"

#include <cstdint>
#include <string>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"

namespace hal::vulkan {

hal_result Timeline::Create(Context& context, std::shared_ptr<Timeline>* out_timeline) {
  std::shared_ptr<Timeline> timeline(new Timeline(context));
  if (context.ReuseTimelineSemaphore(&timeline->semaphore_)) {
    HAL_VK_RETURN_IF_ERROR(context.vk().vkGetSemaphoreCounterValue(
        context.device(), timeline->semaphore_, &timeline->initial_value_));
    timeline->submitted_ = timeline->initial_value_;
    *out_timeline = std::move(timeline);
    return HAL_SUCCESS;
  }
  VkSemaphoreTypeCreateInfo type{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  type.initialValue = 0;
  VkSemaphoreCreateInfo info{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &type;
  HAL_VK_RETURN_IF_ERROR(
      context.vk().vkCreateSemaphore(context.device(), &info, nullptr, &timeline->semaphore_));
  *out_timeline = std::move(timeline);
  return HAL_SUCCESS;
}

hal_result Timeline::EnsureSubmitted(uint64_t value, bool may_block) {
  if (submitted_.load(std::memory_order_acquire) >= value) return HAL_SUCCESS;
  std::unique_lock lock(submit_mutex_, std::defer_lock);
  if (may_block) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return HAL_NOT_READY;
  }
  if (submitted_.load(std::memory_order_relaxed) >= value || submitter_ == nullptr) {
    return HAL_SUCCESS;
  }
  return submitter_->SubmitRecorded();
}

hal_result Timeline::CompleteHostWork(uint64_t value, bool may_block) {
  if (host_work_from_.load(std::memory_order_acquire) > value) return HAL_SUCCESS;
  std::unique_lock lock(submit_mutex_, std::defer_lock);
  if (may_block) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return HAL_NOT_READY;
  }
  return submitter_ == nullptr ? HAL_SUCCESS : submitter_->CompleteHostWork();
}

Timeline::~Timeline() {
  // Every holder (its stream, the events it signalled) waited for the work
  // it submitted, so the semaphore is idle apart from the queue's own
  // bookkeeping (Context::RetireTimelineSemaphore).
  if (semaphore_ != VK_NULL_HANDLE) context_.RetireTimelineSemaphore(semaphore_);
}

hal_result Timeline::Wait(uint64_t value) const {
  VkSemaphoreWaitInfo info{.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &semaphore_;
  info.pValues = &value;
  HAL_VK_RETURN_IF_ERROR(context_.vk().vkWaitSemaphores(context_.device(), &info, UINT64_MAX));
  return HAL_SUCCESS;
}

hal_result Timeline::Reached(uint64_t value, bool* out_reached) const {
  uint64_t current = 0;
  HAL_VK_RETURN_IF_ERROR(
      context_.vk().vkGetSemaphoreCounterValue(context_.device(), semaphore_, &current));
  *out_reached = current >= value;
  return HAL_SUCCESS;
}

hal_result Event::Create(Context& context, std::unique_ptr<Event>* out_event) {
  std::unique_ptr<Event> event(new Event(context));
  VkQueryPoolCreateInfo info{.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = 1;
  HAL_VK_RETURN_IF_ERROR(
      context.vk().vkCreateQueryPool(context.device(), &info, nullptr, &event->query_pool_));
  *out_event = std::move(event);
  return HAL_SUCCESS;
}

Event::~Event() {
  if (latest_.timeline != nullptr &&
      latest_.timeline->EnsureSubmitted(latest_.value, /*may_block=*/true) == HAL_SUCCESS) {
    latest_.timeline->Wait(latest_.value);
  }
  if (query_pool_ != VK_NULL_HANDLE) {
    context_.vk().vkDestroyQueryPool(context_.device(), query_pool_, nullptr);
  }
}

void Event::SetLatestSignal(SignalPoint point) {
  std::lock_guard lock(mutex_);
  latest_ = std::move(point);
}

SignalPoint Event::latest_signal() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

hal_result Event::Query() const {
  const SignalPoint latest = latest_signal();
  if (latest.timeline == nullptr) return HAL_NOT_READY;
  HAL_RETURN_IF_FAILED(latest.timeline->EnsureSubmitted(latest.value, /*may_block=*/false));
  bool reached = false;
  HAL_RETURN_IF_FAILED(latest.timeline->Reached(latest.value, &reached));
  if (!reached) return HAL_NOT_READY;
  return latest.timeline->CompleteHostWork(latest.value, /*may_block=*/false);
}

hal_result Event::Synchronize() const {
  const SignalPoint latest = latest_signal();
  if (latest.timeline == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "cannot wait for an event that was never signalled");
  }
  HAL_RETURN_IF_FAILED(latest.timeline->EnsureSubmitted(latest.value, /*may_block=*/true));
  HAL_RETURN_IF_FAILED(latest.timeline->Wait(latest.value));
  return latest.timeline->CompleteHostWork(latest.value, /*may_block=*/true);
}

hal_result Event::TimestampNs(uint64_t* out_ns) const {
  const SignalPoint latest = latest_signal();
  if (latest.timeline == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "an event that was never signalled has no time");
  }
  bool reached = false;
  HAL_RETURN_IF_FAILED(latest.timeline->Reached(latest.value, &reached));
  if (!reached) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "the event's latest signal (timeline value " +
                                                   std::to_string(latest.value) +
                                                   ") has not been reached yet, so it has no time");
  }
  uint64_t ticks = 0;
  HAL_VK_RETURN_IF_ERROR(context_.vk().vkGetQueryPoolResults(
      context_.device(), query_pool_, 0, 1, sizeof(ticks), &ticks, sizeof(ticks),
      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  const uint32_t valid_bits = context_.physical().timestamp_valid_bits;
  if (valid_bits < 64) ticks &= (uint64_t{1} << valid_bits) - 1;
  *out_ns =
      static_cast<uint64_t>(static_cast<double>(ticks) * context_.physical().timestamp_period_ns);
  return HAL_SUCCESS;
}

}  // namespace hal::vulkan
