// A stream: one in-order command queue with profiling (event timestamps).
// Copies between a device buffer and host memory (the caller's, or a
// staging buffer's mapped address) are reads and writes of the device
// buffer, the pinned-memory path; fills are clEnqueueFillBuffer; dispatches
// set a pooled cl_kernel's arguments by the kernel ABI.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_STREAM_H_
#define HAL_BACKENDS_OPENCL_OPENCL_STREAM_H_

#include <cstdint>
#include <memory>

#include "backends/opencl/opencl_api.h"
#include "backends/opencl/opencl_context.h"
#include "backends/opencl/opencl_event.h"
#include "backends/opencl/opencl_memory.h"
#include "backends/opencl/opencl_module.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

// Calls naming one stream are serialized by the runtime (hal_driver.h).
class Stream {
 public:
  static hal_result Create(Context& context, std::unique_ptr<Stream>* out);
  // Waits for the stream's work, then releases the queue.
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Context& context() const { return context_; }
  cl_command_queue queue() const { return queue_; }

  hal_result CopyHostToDevice(const void* src, Buffer& dst, uint64_t dst_offset, uint64_t size);
  hal_result CopyDeviceToHost(Buffer& src, uint64_t src_offset, void* dst, uint64_t size);
  hal_result CopyBuffer(Buffer& src, uint64_t src_offset, Buffer& dst, uint64_t dst_offset,
                        uint64_t size);
  hal_result Fill(Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern);
  hal_result Dispatch(Kernel& kernel, const hal_dispatch_desc& desc);
  hal_result SignalEvent(Event& event);
  hal_result WaitEvent(Event& event);
  hal_result Synchronize();
  hal_result Query();

 private:
  explicit Stream(Context& context) : context_(context) {}
  // Records that a command was enqueued since the last query's marker.
  hal_result Enqueued(hal_result result);
  hal_result SetArguments(cl_kernel kernel, const hal_dispatch_desc& desc);
  // Makes `marker` (a reference the stream now owns, or nullptr when all
  // work completed) what queries poll.
  void ReplaceQueryMarker(cl_event marker);

  Context& context_;
  cl_command_queue queue_ = nullptr;
  // Stream queries poll a marker after the last command, made on the first
  // query after new work and polled again until more work comes; none while
  // nothing was enqueued since the stream was created or synchronized.
  cl_event query_marker_ = nullptr;
  bool enqueued_since_marker_ = false;
};

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_STREAM_H_
