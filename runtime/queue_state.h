// The state behind a Queue: its driver stream and the objects its in-flight
// work uses. Submissions retain what they touch; retained objects are
// released in batches once an internal fence event behind them completes, so
// the hot path costs one shared_ptr copy per object, not a driver call.
#ifndef HAL_RUNTIME_QUEUE_STATE_H_
#define HAL_RUNTIME_QUEUE_STATE_H_

#include <deque>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "hal/driver/hal_driver.h"
#include "runtime/object_states.h"

namespace hal::internal {

class QueueState {
 public:
  QueueState(std::shared_ptr<DeviceState> device, hal_drv_stream* stream);
  ~QueueState();  // waits for the stream's work, then releases everything
  QueueState(const QueueState&) = delete;
  QueueState& operator=(const QueueState&) = delete;

  const std::shared_ptr<DeviceState>& device() const { return device_; }
  hal_drv_stream* stream() const { return stream_; }

  // Keeps `object` alive until the work submitted so far completes.
  void Retain(std::shared_ptr<const void> object) { pending_.push_back(std::move(object)); }
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

  void CloseBatch();
  void ReleaseCompletedBatches();
  hal_drv_event* TakeFence();

  std::shared_ptr<DeviceState> device_;
  hal_drv_stream* stream_;
  std::vector<std::shared_ptr<const void>> pending_;
  std::deque<Batch> batches_;
  std::vector<hal_drv_event*> spare_fences_;
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_QUEUE_STATE_H_
