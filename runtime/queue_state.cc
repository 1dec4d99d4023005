#include "runtime/queue_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "runtime/buffer_zeroing.h"
#include "runtime/driver_descs.h"

namespace hal::internal {

QueueState::QueueState(std::shared_ptr<DeviceState> device, hal_drv_stream* stream)
    : device_(std::move(device)), stream_(stream) {
  if (device_->residency) device_->residency->Watch(*this);
}

QueueState::~QueueState() {
  // No other thread collects batches from here on.
  if (device_->residency) device_->residency->Unwatch(*this);
  device_->table->stream_destroy(stream_);
  for (Batch& batch : batches_) spare_fences_.push_back(batch.fence);
  batches_.clear();
  pending_.clear();
  for (hal_drv_event* fence : spare_fences_) device_->table->event_destroy(fence);
}

hal_drv_event* QueueState::TakeFence() {
  if (!spare_fences_.empty()) {
    hal_drv_event* fence = spare_fences_.back();
    spare_fences_.pop_back();
    return fence;
  }
  hal_drv_event* fence = nullptr;
  if (device_->table->event_create(device_->context, &kEventDesc, &fence) != HAL_SUCCESS) {
    return nullptr;
  }
  return fence;
}

bool QueueState::PendingRecently(const void* object) const {
  const size_t newest = std::min(pending_.size(), kRecentlyPending);
  for (size_t i = pending_.size() - newest; i < pending_.size(); ++i) {
    if (pending_[i].get() == object) return true;
  }
  return false;
}

void QueueState::CloseBatch() {
  std::lock_guard<std::mutex> lock(batches_mu_);
  hal_drv_event* fence = TakeFence();
  // Without a fence the objects simply stay pending until Synchronize().
  if (fence == nullptr) return;
  if (device_->table->stream_signal_event(stream_, fence) != HAL_SUCCESS) {
    spare_fences_.push_back(fence);
    return;
  }
  batches_.push_back(Batch{fence, std::move(pending_)});
  may_hold_batches_ = true;
  pending_.clear();
  pending_.reserve(kBatchSize);
}

void QueueState::TakeCompletedLocked(std::vector<std::shared_ptr<const void>>& out) {
  while (!batches_.empty() && device_->table->event_query(batches_.front().fence) == HAL_SUCCESS) {
    Batch& batch = batches_.front();
    spare_fences_.push_back(batch.fence);
    for (auto& object : batch.retained) out.push_back(std::move(object));
    batches_.pop_front();
  }
}

void QueueState::TakeCompleted(std::vector<std::shared_ptr<const void>>& out) {
  std::lock_guard<std::mutex> lock(batches_mu_);
  TakeCompletedLocked(out);
}

void QueueState::ReleaseCompletedBatches() {
  if (!may_hold_batches_) return;
  {
    std::lock_guard<std::mutex> lock(batches_mu_);
    TakeCompletedLocked(released_);
    may_hold_batches_ = !batches_.empty();
  }
  released_.clear();  // outside the lock; keeps the capacity
}

bool QueueState::HoldsWork() {
  if (!pending_.empty()) return true;
  std::lock_guard<std::mutex> lock(batches_mu_);
  return !batches_.empty();
}

void QueueState::AfterSubmit() {
  if (pending_.size() >= kBatchSize || fence_next_) CloseBatch();
  fence_next_ = false;
  ReleaseCompletedBatches();
}

absl::StatusOr<hal_drv_buffer*> QueueState::Bind(const std::shared_ptr<BufferState>& buffer) {
  // A new buffer's clear runs on the service stream; this work comes after.
  if (absl::Status status = OrderAfterZeroing(*buffer, stream_); !status.ok()) return status;
  ResidencyController* residency = buffer->device->residency.get();
  if (residency == nullptr) return buffer->buffer;
  hal_drv_buffer* handle = nullptr;
  // This queue's own earlier work may be what keeps the device full, and
  // only this thread can release it: try without waiting first, then finish
  // that work and try again, now waiting for other queues if need be.
  const bool holds_work = HoldsWork();
  auto token = residency->Acquire(buffer, /*may_wait=*/!holds_work, &handle);
  if (holds_work && !token.ok() && token.status().code() == absl::StatusCode::kResourceExhausted) {
    if (absl::Status status = Synchronize(); !status.ok()) return status;
    token = residency->Acquire(buffer, /*may_wait=*/true, &handle);
  }
  if (!token.ok()) return token.status();
  binding_tokens_.push_back(*std::move(token));
  return handle;
}

void QueueState::CommitBindings() {
  // Its own fence lets the bound buffers leave flight as soon as this
  // submission completes, whoever looks.
  fence_next_ = !binding_tokens_.empty();
  for (auto& token : binding_tokens_) pending_.push_back(std::move(token));
  binding_tokens_.clear();
}

absl::Status QueueState::Synchronize() {
  const hal_result result = device_->table->stream_synchronize(stream_);
  absl::Status status =
      result == HAL_SUCCESS
          ? absl::OkStatus()
          : device_->driver->ToStatus(
                result, absl::StrCat("waiting for a queue of device ", device_->label));
  // The stream is idle either way (an error is reported once, at its end).
  std::vector<std::shared_ptr<const void>> released = std::move(pending_);
  pending_.clear();
  std::lock_guard<std::mutex> lock(batches_mu_);
  for (Batch& batch : batches_) {
    spare_fences_.push_back(batch.fence);
    for (auto& object : batch.retained) released.push_back(std::move(object));
  }
  batches_.clear();
  may_hold_batches_ = false;
  return status;
}

}  // namespace hal::internal
