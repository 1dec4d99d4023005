// An event: the profiling marker a stream last enqueued for it, whose end
// time is the event's timestamp (CL_PROFILING_COMMAND_END, in nanoseconds of
// the device's timer). Signalling again replaces the marker, so an event has
// no stable cl_event to give as its native handle.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_EVENT_H_
#define HAL_BACKENDS_OPENCL_OPENCL_EVENT_H_

#include <cstdint>
#include <mutex>

#include "backends/opencl/opencl_api.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

class Event {
 public:
  Event() = default;
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Enqueues a marker after all earlier work of `queue` (a profiling queue);
  // *out_marker receives a reference of its own to it (release it).
  hal_result Signal(cl_command_queue queue, cl_event* out_marker);
  // Makes `queue`'s later work wait for the marker. As in every driver, an
  // event never signalled is HAL_ERROR_FAILED_PRECONDITION to wait for and
  // HAL_NOT_READY to query.
  hal_result EnqueueWait(cl_command_queue queue);
  // HAL_SUCCESS when the marker completed, HAL_NOT_READY before.
  hal_result Query();
  hal_result Synchronize();
  // HAL_ERROR_FAILED_PRECONDITION when never signalled; waits for the marker.
  hal_result TimestampNs(uint64_t* out_ns);

 private:
  // The current marker, retained for the caller (nullptr when none).
  cl_event Retained();

  std::mutex mutex_;
  cl_event marker_ = nullptr;
};

// CL_EVENT_COMMAND_EXECUTION_STATUS as an ABI result: HAL_SUCCESS when
// complete, HAL_NOT_READY while queued or running, the mapped error when the
// command failed (a negative status).
hal_result CommandStatus(cl_event event, const char* what);

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_EVENT_H_
