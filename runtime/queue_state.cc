#include "runtime/queue_state.h"

#include "absl/strings/str_cat.h"

namespace hal::internal {

QueueState::QueueState(std::shared_ptr<DeviceState> device, hal_drv_stream* stream)
    : device_(std::move(device)), stream_(stream) {}

QueueState::~QueueState() {
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
  if (device_->table->event_create(device_->context, &fence) != HAL_SUCCESS) return nullptr;
  return fence;
}

void QueueState::CloseBatch() {
  hal_drv_event* fence = TakeFence();
  // Without a fence the objects simply stay pending until Synchronize().
  if (fence == nullptr) return;
  if (device_->table->stream_signal_event(stream_, fence) != HAL_SUCCESS) {
    spare_fences_.push_back(fence);
    return;
  }
  batches_.push_back(Batch{fence, std::move(pending_)});
  pending_.clear();
}

void QueueState::ReleaseCompletedBatches() {
  while (!batches_.empty() && device_->table->event_query(batches_.front().fence) == HAL_SUCCESS) {
    spare_fences_.push_back(batches_.front().fence);
    batches_.pop_front();
  }
}

void QueueState::AfterSubmit() {
  if (pending_.size() >= kBatchSize) CloseBatch();
  if (!batches_.empty()) ReleaseCompletedBatches();
}

absl::StatusOr<hal_drv_buffer*> QueueState::Bind(const std::shared_ptr<BufferState>& buffer) {
  ResidencyController* residency = buffer->device->residency.get();
  if (residency == nullptr) return buffer->buffer;
  hal_drv_buffer* handle = nullptr;
  // This queue's own earlier work may be what keeps the device full, and
  // only this thread can release it: try without waiting first, then finish
  // that work and try again, now waiting for other queues if need be.
  const bool holds_work = !pending_.empty() || !batches_.empty();
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
  for (auto& token : binding_tokens_) pending_.push_back(std::move(token));
  binding_tokens_.clear();
}

absl::Status QueueState::Synchronize() {
  absl::Status status = device_->driver->ToStatus(
      device_->table->stream_synchronize(stream_),
      absl::StrCat("waiting for a queue of device ", device_->label));
  // The stream is idle either way (an error is reported once, at its end).
  for (Batch& batch : batches_) spare_fences_.push_back(batch.fence);
  batches_.clear();
  pending_.clear();
  return status;
}

}  // namespace hal::internal
