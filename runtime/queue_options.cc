// Queues with options: Device::CreateQueue(const QueueOptions&) and the
// priority's name.
#include "absl/strings/str_cat.h"
#include "hal/device.h"
#include "hal/queue.h"
#include "hal/status_macros.h"
#include "runtime/driver_descs.h"
#include "runtime/object_states.h"
#include "runtime/queue_state.h"

namespace hal {

const char* QueuePriorityName(QueuePriority priority) {
  switch (priority) {
    case QueuePriority::kLow:
      return "low";
    case QueuePriority::kNormal:
      return "normal";
    case QueuePriority::kHigh:
      return "high";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Queue>> Device::CreateQueue() { return CreateQueue(QueueOptions{}); }

absl::StatusOr<std::unique_ptr<Queue>> Device::CreateQueue(const QueueOptions& options) {
  hal_stream_priority priority = HAL_STREAM_PRIORITY_NORMAL;
  switch (options.priority) {
    case QueuePriority::kLow:
      priority = HAL_STREAM_PRIORITY_LOW;
      break;
    case QueuePriority::kNormal:
      priority = HAL_STREAM_PRIORITY_NORMAL;
      break;
    case QueuePriority::kHigh:
      priority = HAL_STREAM_PRIORITY_HIGH;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("cannot create a queue on device ", state_->label, " with priority ",
                       static_cast<int>(options.priority), ": not a QueuePriority"));
  }
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  // Every driver takes the priority; one without
  // HAL_CAPABILITY_STREAM_PRIORITY ignores it.
  const hal_stream_desc desc = internal::StreamDesc(priority);
  hal_drv_stream* stream = nullptr;
  HAL_RETURN_IF_ERROR(state_->driver->ToStatus(
      state_->table->stream_create(state_->context, &desc, &stream),
      absl::StrCat("creating a queue of ", QueuePriorityName(options.priority),
                   " priority on device ", state_->label)));
  return std::make_unique<Queue>(std::make_unique<internal::QueueState>(state_, stream));
}

}  // namespace hal
