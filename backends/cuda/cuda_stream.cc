// Streams: non-blocking CUDA streams (of the green context when the context
// is partitioned) with a priority; copies, fills and launches enqueued on
// them; the first asynchronous error each met.
#include <memory>

#include "backends/cuda/cuda_entry_points.h"
#include "backends/cuda/cuda_handles.h"
#include "backends/gpu_core/launch_arguments.h"

namespace hal::cuda {
namespace {

// HAL_STREAM_PRIORITY_HIGH is the context's greatest priority; NORMAL and LOW
// are its least, CUDA's default for every stream.
hal_result StreamPriority(Context& context, hal_stream_priority priority, int* out_priority) {
  *out_priority = 0;
  if (!(context.device.properties.capabilities & HAL_CAPABILITY_STREAM_PRIORITY)) {
    return HAL_SUCCESS;
  }
  int least = 0, greatest = 0;
  if (const hal_result r =
          HAL_CU(&context.health, cuCtxGetStreamPriorityRange, &least, &greatest)) {
    return r;
  }
  *out_priority = priority == HAL_STREAM_PRIORITY_HIGH ? greatest : least;
  return HAL_SUCCESS;
}

CUstream Native(const Stream& stream) { return Narrow<CUstream>(stream.handle); }

CUdeviceptr Address(hal_drv_buffer* buffer, uint64_t offset) {
  return Unwrap(buffer)->address + offset;
}

// Runs `enqueue` for `stream` with its context current; a size of zero
// enqueues nothing.
template <typename Enqueue>
hal_result OnStream(hal_drv_stream* stream, uint64_t size, const Enqueue& enqueue) {
  if (size == 0) return HAL_SUCCESS;
  Stream& s = *Unwrap(stream);
  return InContext(*s.context, [&] { return enqueue(s, &s.context->health); });
}

// A failure met while waiting stays the stream's answer from then on.
hal_result Waited(Stream& stream, hal_result result) {
  if (result == HAL_SUCCESS || result == HAL_NOT_READY) return result;
  return stream.first_error.Record(result, gpu::LastErrorMessage());
}

}  // namespace

hal_result StreamCreate(hal_drv_context* context_handle, const hal_stream_desc* desc,
                        hal_drv_stream** out_stream) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    int priority = 0;
    if (const hal_result r = StreamPriority(context, desc->priority, &priority)) return r;
    CUstream native = nullptr;
    if (const hal_result r = CreateStream(context, priority, &native)) return r;
    auto stream = std::make_unique<Stream>();
    stream->context = &context;
    stream->handle = Widen(native);
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* stream_handle) {
  std::unique_ptr<Stream> stream(Unwrap(stream_handle));
  ScopedCurrent current(*stream->context);
  Api().cuStreamSynchronize(Native(*stream));
  Api().cuStreamDestroy(Native(*stream));
}

hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  return OnStream(stream, size, [&](Stream& s, gpu::ContextHealth* health) {
    return HAL_CU(health, cuMemcpyHtoDAsync, Address(dst, dst_offset), src, size, Native(s));
  });
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size) {
  return OnStream(stream, size, [&](Stream& s, gpu::ContextHealth* health) {
    return HAL_CU(health, cuMemcpyDtoHAsync, dst, Address(src, src_offset), size, Native(s));
  });
}

hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  return OnStream(stream, size, [&](Stream& s, gpu::ContextHealth* health) {
    return HAL_CU(health, cuMemcpyDtoDAsync, Address(dst, dst_offset), Address(src, src_offset),
                  size, Native(s));
  });
}

hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern) {
  return OnStream(stream, size, [&](Stream& s, gpu::ContextHealth* health) {
    return HAL_CU(health, cuMemsetD32Async, Address(dst, offset), pattern, size / 4, Native(s));
  });
}

// The kernel ABI: bindings as device pointers, push constants as one
// by-value struct, blockDim the kernel's declared workgroup size.
hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel_handle,
                          const hal_dispatch_desc* desc) {
  return OnStream(stream, 1, [&](Stream& s, gpu::ContextHealth* health) {
    uint64_t addresses[HAL_MAX_BINDINGS];
    for (uint32_t i = 0; i < desc->binding_count; ++i) {
      addresses[i] = Address(desc->bindings[i].buffer, desc->bindings[i].offset);
    }
    gpu::LaunchArguments arguments(addresses, desc->binding_count, desc->push_constants,
                                   desc->push_constant_size);
    const Kernel& kernel = *Unwrap(kernel_handle);
    const uint32_t* block = kernel.signature.workgroup_size;
    return HAL_CU(health, cuLaunchKernel, Narrow<CUfunction>(kernel.function),
                  desc->workgroup_count[0], desc->workgroup_count[1], desc->workgroup_count[2],
                  block[0], block[1], block[2], 0, Native(s), arguments.kernel_params(), nullptr);
  });
}

hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event_handle) {
  return OnStream(stream, 1, [&](Stream& s, gpu::ContextHealth* health) {
    Event& event = *Unwrap(event_handle);
    const hal_result result =
        HAL_CU(health, cuEventRecord, Narrow<CUevent>(event.handle), Native(s));
    if (result == HAL_SUCCESS) event.signalled.store(true, std::memory_order_release);
    return result;
  });
}

hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return OnStream(stream, 1, [&](Stream& s, gpu::ContextHealth* health) {
    return HAL_CU(health, cuStreamWaitEvent, Native(s), Narrow<CUevent>(Unwrap(event)->handle), 0);
  });
}

hal_result StreamSynchronize(hal_drv_stream* stream_handle) {
  Stream& stream = *Unwrap(stream_handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  return InContext(*stream.context, [&] {
    return Waited(stream, HAL_CU(&stream.context->health, cuStreamSynchronize, Native(stream)));
  });
}

hal_result StreamQuery(hal_drv_stream* stream_handle) {
  Stream& stream = *Unwrap(stream_handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  return InContext(*stream.context, [&] {
    const CUresult result = Api().cuStreamQuery(Native(stream));
    if (result == CUDA_ERROR_NOT_READY) return HAL_NOT_READY;
    return Waited(stream, Check(result, "cuStreamQuery", &stream.context->health));
  });
}

}  // namespace hal::cuda
