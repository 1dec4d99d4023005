// Compute-share hook: where a virtual device's share of a device is enforced
// by time-slicing (virtual-device/time_slice_scheduler.h), every submission
// of its queues passes through Enter and Leave, which bracket it with
// device-timestamped events and may hold the submission back while the tenant
// is over its share. Device contexts without one pay nothing.
#ifndef HAL_RUNTIME_COMPUTE_GATE_H_
#define HAL_RUNTIME_COMPUTE_GATE_H_

#include "absl/status/status.h"
#include "hal/driver/hal_driver.h"

namespace hal::internal {

struct DeviceState;

class ComputeGate {
 public:
  virtual ~ComputeGate() = default;
  // Before a submission on `stream` (of `device`, by the thread that owns the
  // stream): blocks while the tenant is over its share, then marks the start.
  virtual absl::Status Enter(DeviceState& device, hal_drv_stream* stream) = 0;
  // After the submission was enqueued, or refused: marks its end.
  virtual void Leave(DeviceState& device, hal_drv_stream* stream) = 0;
  // The context is closing (no work left): release its driver objects.
  virtual void Close(DeviceState& device) = 0;
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_COMPUTE_GATE_H_
