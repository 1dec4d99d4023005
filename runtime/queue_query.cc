// Queue::IsIdle: whether a queue's work is done, through the driver's
// non-blocking stream_query.
#include "absl/strings/str_cat.h"
#include "hal/queue.h"
#include "hal/status_macros.h"
#include "runtime/object_states.h"
#include "runtime/queue_state.h"

namespace hal {

absl::StatusOr<bool> Queue::IsIdle() {
  internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  const hal_result result = device.table->stream_query(state_->stream());
  if (result == HAL_NOT_READY) return false;
  absl::Status status =
      device.driver->ToStatus(result, absl::StrCat("querying a queue of device ", device.label));
  if (status.ok()) {
    // Idle: synchronizing returns at once and lets go of everything the
    // finished work kept alive, as Synchronize() does.
    status = state_->Synchronize();
  }
  device.health.Record(status);
  if (!status.ok()) return status;
  return true;
}

}  // namespace hal
