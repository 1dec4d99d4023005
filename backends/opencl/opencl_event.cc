#include "backends/opencl/opencl_event.h"

#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {

hal_result CommandStatus(cl_event event, const char* what) {
  cl_int status = CL_COMPLETE;
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS,
                                 sizeof(status), &status, nullptr));
  if (status == CL_COMPLETE) return HAL_SUCCESS;
  if (status > 0) return HAL_NOT_READY;
  return Check(status, what, "the command failed on the device");
}

Event::~Event() {
  if (marker_ != nullptr) Api().clReleaseEvent(marker_);
}

hal_result Event::Signal(cl_command_queue queue, cl_event* out_marker) {
  cl_event marker = nullptr;
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clEnqueueMarkerWithWaitList, queue, 0, nullptr, &marker));
  // Without a flush a GPU driver may hold the marker back while the host
  // polls it.
  const hal_result flushed = HAL_CL(clFlush, queue);
  Api().clRetainEvent(marker);
  *out_marker = marker;
  std::lock_guard lock(mutex_);
  if (marker_ != nullptr) Api().clReleaseEvent(marker_);
  marker_ = marker;
  return flushed;
}

cl_event Event::Retained() {
  std::lock_guard lock(mutex_);
  if (marker_ != nullptr) Api().clRetainEvent(marker_);
  return marker_;
}

hal_result Event::EnqueueWait(cl_command_queue queue) {
  const cl_event marker = Retained();
  if (marker == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION,
                "cannot make a stream wait for an event that was never signalled");
  }
  const hal_result result = HAL_CL(clEnqueueBarrierWithWaitList, queue, 1, &marker, nullptr);
  Api().clReleaseEvent(marker);
  return result;
}

hal_result Event::Query() {
  const cl_event marker = Retained();
  if (marker == nullptr) return HAL_NOT_READY;
  const hal_result result = CommandStatus(marker, "the event's marker");
  Api().clReleaseEvent(marker);
  return result;
}

hal_result Event::Synchronize() {
  const cl_event marker = Retained();
  if (marker == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "cannot wait for an event that was never signalled");
  }
  hal_result result = HAL_CL(clWaitForEvents, 1, &marker);
  if (result == HAL_SUCCESS) result = CommandStatus(marker, "the event's marker");
  Api().clReleaseEvent(marker);
  return result;
}

hal_result Event::TimestampNs(uint64_t* out_ns) {
  const cl_event marker = Retained();
  if (marker == nullptr) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "the event was never signalled");
  }
  hal_result result = HAL_CL(clWaitForEvents, 1, &marker);
  cl_ulong end = 0;
  if (result == HAL_SUCCESS) {
    result = HAL_CL(clGetEventProfilingInfo, marker, CL_PROFILING_COMMAND_END, sizeof(end), &end,
                    nullptr);
  }
  Api().clReleaseEvent(marker);
  *out_ns = end;
  return result;
}

}  // namespace hal::opencl
