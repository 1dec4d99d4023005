// The state behind a Queue: its driver stream and the objects its in-flight
// work uses. Submissions retain what they touch; retained objects are
// released in batches once an internal fence event behind them completes, so
// the hot path costs one shared_ptr copy per object, not a driver call.
// Under a residency controller every submission that binds buffers closes a
// batch, and the controller may collect completed batches from any thread
// (CompletionSource): a buffer leaves flight when its work completes.
#ifndef HAL_RUNTIME_QUEUE_STATE_H_
#define HAL_RUNTIME_QUEUE_STATE_H_

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hal/driver/hal_driver.h"
#include "runtime/object_states.h"

namespace hal::internal {

class QueueState final : public CompletionSource {
 public:
  QueueState(std::shared_ptr<DeviceState> device, hal_drv_stream* stream);
  ~QueueState();  // waits for the stream's work, then releases everything
  QueueState(const QueueState&) = delete;
  QueueState& operator=(const QueueState&) = delete;

  const std::shared_ptr<DeviceState>& device() const { return device_; }
  hal_drv_stream* stream() const { return stream_; }

  // The driver buffer a submission binds for `buffer`, after ordering the
  // stream behind the buffer's zeroing if that may still run. Under a
  // residency controller this restores an evicted buffer and keeps it
  // resident until the submission completes (see CommitBindings); otherwise
  // it is the buffer's own handle.
  absl::StatusOr<hal_drv_buffer*> Bind(const std::shared_ptr<BufferState>& buffer);
  // After the submission was accepted: its bound buffers stay resident until
  // it completes. After a refusal: releases them now.
  void CommitBindings();
  void DropBindings() { binding_tokens_.clear(); }
  // Collects completed batches for another thread (the residency
  // controller making room).
  void TakeCompleted(std::vector<std::shared_ptr<const void>>& out) override;
  // Brackets work that occupies the device with the tenant's compute gate,
  // when its share is time-sliced; nothing otherwise.
  absl::Status EnterGate() {
    return device_->compute_gate ? device_->compute_gate->Enter(*device_, stream_)
                                 : absl::OkStatus();
  }
  void LeaveGate() {
    if (device_->compute_gate) device_->compute_gate->Leave(*device_, stream_);
  }
  // Keeps `object` alive until the work submitted so far completes. An
  // object among the last few still pending (the same kernel and buffers
  // dispatched again) is kept by that entry already: everything pending goes
  // into the same batch, behind the same fence, so it is not copied again.
  template <typename T>
  void Retain(const std::shared_ptr<T>& object) {
    if (!PendingRecently(object.get())) pending_.push_back(object);
  }
  // Called after each submission: closes a batch when enough is pending and
  // releases the batches whose fences completed.
  void AfterSubmit();
  // Waits for all work; releases everything retained.
  absl::Status Synchronize();

 private:
  struct Batch {
    hal_drv_event* fence;
    std::vector<std::shared_ptr<const void>> retained;
  };
  // Objects retained before a batch is closed behind a fence.
  static constexpr size_t kBatchSize = 64;
  // How many of the newest pending entries Retain looks through: enough for
  // a kernel and its bindings, few enough to cost less than the copy.
  static constexpr size_t kRecentlyPending = 8;

  bool PendingRecently(const void* object) const;
  void CloseBatch();
  void ReleaseCompletedBatches();
  void TakeCompletedLocked(std::vector<std::shared_ptr<const void>>& out);  // needs batches_mu_
  bool HoldsWork();
  hal_drv_event* TakeFence();  // needs batches_mu_

  std::shared_ptr<DeviceState> device_;
  hal_drv_stream* stream_;
  // Only the queue's own thread touches these.
  std::vector<std::shared_ptr<const void>> pending_;
  std::vector<std::shared_ptr<const void>> binding_tokens_;  // of the submission being built
  bool fence_next_ = false;  // the last submission bound buffers under residency
  // False while no batch of this queue can be open, so that a submission
  // takes no lock to find none (the residency controller may also empty
  // batches_, which only leaves this true until the next look).
  bool may_hold_batches_ = false;
  std::vector<std::shared_ptr<const void>> released_;  // reused by ReleaseCompletedBatches
  // The residency controller's thread may collect batches while the queue
  // closes new ones. Retained objects are dropped outside this lock.
  std::mutex batches_mu_;
  std::deque<Batch> batches_;                 // guarded by batches_mu_
  std::vector<hal_drv_event*> spare_fences_;  // guarded by batches_mu_
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_QUEUE_STATE_H_
