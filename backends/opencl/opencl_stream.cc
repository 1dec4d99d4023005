#include "backends/opencl/opencl_stream.h"

#include "backends/opencl/opencl_errors.h"
#include "backends/opencl/opencl_handles.h"

namespace hal::opencl {

hal_result Stream::Create(Context& context, std::unique_ptr<Stream>* out) {
  std::unique_ptr<Stream> stream(new Stream(context));
  cl_int status = CL_SUCCESS;
  stream->queue_ = Api().clCreateCommandQueue(context.context(), context.device_id(),
                                              CL_QUEUE_PROFILING_ENABLE, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateCommandQueue"));
  *out = std::move(stream);
  return HAL_SUCCESS;
}

Stream::~Stream() {
  if (query_marker_ != nullptr) Api().clReleaseEvent(query_marker_);
  if (queue_ != nullptr) {
    Api().clFinish(queue_);
    Api().clReleaseCommandQueue(queue_);
  }
}

hal_result Stream::Enqueued(hal_result result) {
  enqueued_since_marker_ = true;
  return result;
}

hal_result Stream::CopyHostToDevice(const void* src, Buffer& dst, uint64_t dst_offset,
                                    uint64_t size) {
  return Enqueued(HAL_CL(clEnqueueWriteBuffer, queue_, dst.mem(), CL_FALSE, dst_offset, size, src,
                         0, nullptr, nullptr));
}

hal_result Stream::CopyDeviceToHost(Buffer& src, uint64_t src_offset, void* dst, uint64_t size) {
  return Enqueued(HAL_CL(clEnqueueReadBuffer, queue_, src.mem(), CL_FALSE, src_offset, size, dst, 0,
                         nullptr, nullptr));
}

hal_result Stream::CopyBuffer(Buffer& src, uint64_t src_offset, Buffer& dst, uint64_t dst_offset,
                              uint64_t size) {
  // Host memory on one side only: a plain read or write of the device
  // buffer, from or into that memory.
  if (src.host() != nullptr && dst.host() == nullptr) {
    return CopyHostToDevice(src.host() + src_offset, dst, dst_offset, size);
  }
  if (dst.host() != nullptr && src.host() == nullptr) {
    return CopyDeviceToHost(src, src_offset, dst.host() + dst_offset, size);
  }
  return Enqueued(HAL_CL(clEnqueueCopyBuffer, queue_, src.mem(), dst.mem(), src_offset, dst_offset,
                         size, 0, nullptr, nullptr));
}

hal_result Stream::Fill(Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern) {
  return Enqueued(HAL_CL(clEnqueueFillBuffer, queue_, dst.mem(), &pattern, sizeof(pattern), offset,
                         size, 0, nullptr, nullptr));
}

hal_result Stream::SetArguments(cl_kernel kernel, const hal_dispatch_desc& desc) {
  for (uint32_t i = 0; i < desc.binding_count; ++i) {
    cl_mem view = nullptr;
    HAL_CL_RETURN_IF_FAILED(Unwrap(desc.bindings[i].buffer)->View(desc.bindings[i].offset, &view));
    HAL_CL_RETURN_IF_FAILED(HAL_CL(clSetKernelArg, kernel, i, sizeof(view), &view));
  }
  if (desc.push_constant_size > 0) {
    HAL_CL_RETURN_IF_FAILED(HAL_CL(clSetKernelArg, kernel, desc.binding_count,
                                   desc.push_constant_size, desc.push_constants));
  }
  return HAL_SUCCESS;
}

hal_result Stream::Dispatch(Kernel& kernel, const hal_dispatch_desc& desc) {
  const uint32_t* workgroup = kernel.signature().workgroup_size;
  const size_t local[3] = {workgroup[0], workgroup[1], workgroup[2]};
  const size_t global[3] = {size_t{desc.workgroup_count[0]} * local[0],
                            size_t{desc.workgroup_count[1]} * local[1],
                            size_t{desc.workgroup_count[2]} * local[2]};
  cl_kernel handle = nullptr;
  HAL_CL_RETURN_IF_FAILED(kernel.Acquire(&handle));
  hal_result result = SetArguments(handle, desc);
  if (result == HAL_SUCCESS) {
    // The arguments are captured at enqueue: the cl_kernel is free again after.
    result = Enqueued(HAL_CL(clEnqueueNDRangeKernel, queue_, handle, 3, nullptr, global, local, 0,
                             nullptr, nullptr));
  }
  kernel.Release(handle);
  return result;
}

hal_result Stream::SignalEvent(Event& event) {
  cl_event marker = nullptr;
  const hal_result result = Enqueued(event.Signal(queue_, &marker));
  // The event's marker follows every earlier command: the stream's queries
  // poll it too, so the stream is complete once the event is.
  if (marker != nullptr) ReplaceQueryMarker(marker);
  return result;
}

void Stream::ReplaceQueryMarker(cl_event marker) {
  if (query_marker_ != nullptr) Api().clReleaseEvent(query_marker_);
  query_marker_ = marker;
  enqueued_since_marker_ = false;
}

hal_result Stream::WaitEvent(Event& event) { return Enqueued(event.EnqueueWait(queue_)); }

hal_result Stream::Synchronize() {
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clFinish, queue_));
  // Everything enqueued has completed: no marker is needed to say so.
  ReplaceQueryMarker(nullptr);
  return HAL_SUCCESS;
}

hal_result Stream::Query() {
  if (!enqueued_since_marker_ && query_marker_ == nullptr) return HAL_SUCCESS;
  if (enqueued_since_marker_) {
    cl_event marker = nullptr;
    HAL_CL_RETURN_IF_FAILED(HAL_CL(clEnqueueMarkerWithWaitList, queue_, 0, nullptr, &marker));
    HAL_CL_RETURN_IF_FAILED(HAL_CL(clFlush, queue_));
    ReplaceQueryMarker(marker);
  }
  return CommandStatus(query_marker_, "the stream's last command");
}

}  // namespace hal::opencl
