// Streams: non-blocking vendor streams (of the context's partition when it
// has one) with a priority; copies, fills and launches enqueued on them; the
// first asynchronous error each met.
#include <memory>

#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/launch_arguments.h"
#include "backends/gpu_core/table_functions.h"

namespace hal::gpu {
namespace {

// HAL_STREAM_PRIORITY_HIGH is the context's greatest priority; NORMAL and LOW
// are its least, the vendors' default for every stream.
hal_result StreamPriority(Context& context, hal_stream_priority priority, int* out_priority) {
  *out_priority = 0;
  if (!(context.device.properties.capabilities & HAL_CAPABILITY_STREAM_PRIORITY)) {
    return HAL_SUCCESS;
  }
  int least = 0, greatest = 0;
  if (const hal_result r = context.vendor.StreamPriorityRange(context, &least, &greatest)) {
    return r;
  }
  *out_priority = priority == HAL_STREAM_PRIORITY_HIGH ? greatest : least;
  return HAL_SUCCESS;
}

uint64_t Address(hal_drv_buffer* buffer, uint64_t offset) {
  return Unwrap(buffer)->address + offset;
}

// Runs `enqueue` for `stream` with its context current; a size of zero
// enqueues nothing.
template <typename Enqueue>
hal_result OnStream(hal_drv_stream* stream, uint64_t size, const Enqueue& enqueue) {
  if (size == 0) return HAL_SUCCESS;
  GpuStream& s = *Unwrap(stream);
  Context& context = *s.context;
  return InContext(context, [&] { return enqueue(context.vendor, context, s.handle); });
}

// A failure met while waiting stays the stream's answer from then on.
hal_result Waited(GpuStream& stream, hal_result result) {
  if (result == HAL_SUCCESS || result == HAL_NOT_READY) return result;
  return stream.first_error.Record(result, LastErrorMessage());
}

}  // namespace

hal_result StreamCreate(hal_drv_context* context_handle, const hal_stream_desc* desc,
                        hal_drv_stream** out_stream) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    int priority = 0;
    if (const hal_result r = StreamPriority(context, desc->priority, &priority)) return r;
    auto stream = std::make_unique<GpuStream>();
    stream->context = &context;
    if (const hal_result r = context.vendor.StreamCreate(context, priority, &stream->handle)) {
      return r;
    }
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* stream) {
  DestroyWithVendor(Unwrap(stream), [](Vendor& vendor, Context& context, uint64_t handle) {
    vendor.StreamDestroy(context, handle);
  });
}

hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  return OnStream(stream, size, [&](Vendor& vendor, Context& context, uint64_t s) {
    return vendor.CopyHostToDevice(context, s, Address(dst, dst_offset), src, size);
  });
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size) {
  return OnStream(stream, size, [&](Vendor& vendor, Context& context, uint64_t s) {
    return vendor.CopyDeviceToHost(context, s, dst, Address(src, src_offset), size);
  });
}

hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  return OnStream(stream, size, [&](Vendor& vendor, Context& context, uint64_t s) {
    return vendor.CopyDeviceToDevice(context, s, Address(dst, dst_offset), Address(src, src_offset),
                                     size);
  });
}

hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern) {
  return OnStream(stream, size, [&](Vendor& vendor, Context& context, uint64_t s) {
    return vendor.Fill32(context, s, Address(dst, offset), pattern, size / 4);
  });
}

// The kernel ABI: bindings as device pointers, push constants as one
// by-value struct, blockDim the kernel's declared workgroup size.
hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel_handle,
                          const hal_dispatch_desc* desc) {
  return OnStream(stream, 1, [&](Vendor& vendor, Context& context, uint64_t s) {
    uint64_t addresses[HAL_MAX_BINDINGS];
    for (uint32_t i = 0; i < desc->binding_count; ++i) {
      addresses[i] = Address(desc->bindings[i].buffer, desc->bindings[i].offset);
    }
    LaunchArguments arguments(addresses, desc->binding_count, desc->push_constants,
                              desc->push_constant_size);
    const Kernel& kernel = *Unwrap(kernel_handle);
    return vendor.Launch(context, s, kernel.function, desc->workgroup_count,
                         kernel.signature.workgroup_size, arguments.kernel_params());
  });
}

hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event_handle) {
  return OnStream(stream, 1, [&](Vendor& vendor, Context& context, uint64_t s) {
    GpuEvent& event = *Unwrap(event_handle);
    const hal_result result = vendor.EventRecord(context, event.handle, s);
    if (result == HAL_SUCCESS) event.signalled.store(true, std::memory_order_release);
    return result;
  });
}

hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return OnStream(stream, 1, [&](Vendor& vendor, Context& context, uint64_t s) {
    return vendor.StreamWaitEvent(context, s, Unwrap(event)->handle);
  });
}

hal_result StreamSynchronize(hal_drv_stream* stream_handle) {
  GpuStream& stream = *Unwrap(stream_handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  Context& context = *stream.context;
  return InContext(context, [&] {
    return Waited(stream, context.vendor.StreamSynchronize(context, stream.handle));
  });
}

hal_result StreamQuery(hal_drv_stream* stream_handle) {
  GpuStream& stream = *Unwrap(stream_handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  Context& context = *stream.context;
  return InContext(
      context, [&] { return Waited(stream, context.vendor.StreamQuery(context, stream.handle)); });
}

}  // namespace hal::gpu
