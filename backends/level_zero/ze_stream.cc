// Streams: an immediate command list each, on the device's compute queue
// group. Level Zero does not order the commands of a list by itself, so a
// barrier follows every command, making the stream in order as the ABI
// wants. Events: one event in a host-visible pool of its own; a signal writes
// the device's global timestamp (zeCommandListAppendWriteGlobalTimestamp,
// after every earlier command) into a host slot and signals the event.
#include <memory>

#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"

namespace hal::level_zero {
namespace {

hal_result MakeEvent(Context& context, bool with_timestamp, Event* event) {
  const ze_context_handle_t ze_context = context.device->context;
  event->context = &context;
  const ze_event_pool_desc_t pool_desc{ZE_STRUCTURE_TYPE_EVENT_POOL_DESC, nullptr,
                                       ZE_EVENT_POOL_FLAG_HOST_VISIBLE, 1};
  if (const hal_result r = HAL_ZE(&context.health, zeEventPoolCreate, ze_context, &pool_desc, 0,
                                  nullptr, &event->pool)) {
    return r;
  }
  const ze_event_desc_t desc{ZE_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0, ZE_EVENT_SCOPE_FLAG_HOST,
                             ZE_EVENT_SCOPE_FLAG_HOST};
  if (const hal_result r = HAL_ZE(&context.health, zeEventCreate, event->pool, &desc, &event->event)) {
    Api().zeEventPoolDestroy(event->pool);
    return r;
  }
  if (!with_timestamp) return HAL_SUCCESS;
  const ze_host_mem_alloc_desc_t host_desc{ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, nullptr, 0};
  void* slot = nullptr;
  if (const hal_result r = HAL_ZE(&context.health, zeMemAllocHost, ze_context, &host_desc,
                                  sizeof(uint64_t), sizeof(uint64_t), &slot)) {
    Api().zeEventDestroy(event->event);
    Api().zeEventPoolDestroy(event->pool);
    return r;
  }
  event->timestamp = static_cast<uint64_t*>(slot);
  return HAL_SUCCESS;
}

void ReleaseEvent(Event& event) {
  if (event.timestamp != nullptr) Api().zeMemFree(event.context->device->context, event.timestamp);
  Api().zeEventDestroy(event.event);
  Api().zeEventPoolDestroy(event.pool);
}

ze_command_queue_priority_t PriorityOf(hal_stream_priority priority) {
  switch (priority) {
    case HAL_STREAM_PRIORITY_LOW:
      return ZE_COMMAND_QUEUE_PRIORITY_PRIORITY_LOW;
    case HAL_STREAM_PRIORITY_HIGH:
      return ZE_COMMAND_QUEUE_PRIORITY_PRIORITY_HIGH;
    case HAL_STREAM_PRIORITY_NORMAL:
      break;
  }
  return ZE_COMMAND_QUEUE_PRIORITY_NORMAL;
}

// Appends one command (a call returning ze_result_t) and the barrier that
// orders it before the next; a failure is recorded as the stream's.
template <typename Append>
hal_result Submit(Stream& stream, const char* name, const Append& append) {
  Context& context = *stream.context;
  if (const hal_result r = context.health.Check()) return r;
  if (const hal_result r = ZeErrors().Check(append(), name, "", &context.health)) return r;
  stream.work_since_marker = true;
  return HAL_ZE(&context.health, zeCommandListAppendBarrier, stream.list, nullptr, 0, nullptr);
}

// Makes the marker stand for everything appended so far.
hal_result MarkProgress(Stream& stream) {
  if (stream.marker_pending && !stream.work_since_marker) return HAL_SUCCESS;
  Context& context = *stream.context;
  if (const hal_result r = HAL_ZE(&context.health, zeEventHostReset, stream.marker.event)) return r;
  if (const hal_result r = HAL_ZE(&context.health, zeCommandListAppendBarrier, stream.list,
                                  stream.marker.event, 0, nullptr)) {
    return r;
  }
  stream.marker_pending = true;
  stream.work_since_marker = false;
  return HAL_SUCCESS;
}

// The stream's answer after a wait or query of its marker returned `result`.
hal_result Settle(Stream& stream, hal_result result) {
  if (result != HAL_SUCCESS && result != HAL_NOT_READY) {
    return stream.first_error.Record(result, driver_support::LastErrorMessage());
  }
  if (const hal_result first = stream.first_error.Get()) return first;
  return result;
}

char* At(Buffer& buffer, uint64_t offset) { return static_cast<char*>(buffer.pointer) + offset; }

}  // namespace

hal_result StreamCreate(hal_drv_context* handle, const hal_stream_desc* desc,
                        hal_drv_stream** out_stream) {
  return Guarded([&] {
    Context& context = *Unwrap(handle);
    if (const hal_result r = context.health.Check()) return r;
    auto stream = std::make_unique<Stream>();
    stream->context = &context;
    stream->target = context.next_target.fetch_add(1) % context.targets.size();
    const ze_command_queue_desc_t queue{ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC,
                                        nullptr,
                                        context.device->compute_ordinal,
                                        0,
                                        0,
                                        ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS,
                                        PriorityOf(desc->priority)};
    if (const hal_result r = HAL_ZE(&context.health, zeCommandListCreateImmediate,
                                    context.device->context, context.targets[stream->target],
                                    &queue, &stream->list)) {
      return r;
    }
    if (const hal_result r = MakeEvent(context, false, &stream->marker)) {
      Api().zeCommandListDestroy(stream->list);
      return r;
    }
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* handle) {
  std::unique_ptr<Stream> stream(Unwrap(handle));
  if (MarkProgress(*stream) == HAL_SUCCESS) {
    Api().zeEventHostSynchronize(stream->marker.event, UINT64_MAX);
  }
  ReleaseEvent(stream->marker);
  Api().zeCommandListDestroy(stream->list);
}

hal_result StreamCopyHostToDevice(hal_drv_stream* handle, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  Stream& stream = *Unwrap(handle);
  return Submit(stream, "zeCommandListAppendMemoryCopy", [&] {
    return Api().zeCommandListAppendMemoryCopy(stream.list, At(*Unwrap(dst), dst_offset), src,
                                               size, nullptr, 0, nullptr);
  });
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* handle, hal_drv_buffer* src,
                                  uint64_t src_offset, void* dst, uint64_t size) {
  Stream& stream = *Unwrap(handle);
  return Submit(stream, "zeCommandListAppendMemoryCopy", [&] {
    return Api().zeCommandListAppendMemoryCopy(stream.list, dst, At(*Unwrap(src), src_offset),
                                               size, nullptr, 0, nullptr);
  });
}

hal_result StreamCopyBuffer(hal_drv_stream* handle, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  Stream& stream = *Unwrap(handle);
  return Submit(stream, "zeCommandListAppendMemoryCopy", [&] {
    return Api().zeCommandListAppendMemoryCopy(stream.list, At(*Unwrap(dst), dst_offset),
                                               At(*Unwrap(src), src_offset), size, nullptr, 0,
                                               nullptr);
  });
}

hal_result StreamFill(hal_drv_stream* handle, hal_drv_buffer* dst, uint64_t offset,
                      uint64_t size, uint32_t pattern) {
  Stream& stream = *Unwrap(handle);
  // The pattern is copied when the command is appended.
  return Submit(stream, "zeCommandListAppendMemoryFill", [&] {
    return Api().zeCommandListAppendMemoryFill(stream.list, At(*Unwrap(dst), offset), &pattern,
                                               sizeof(pattern), size, nullptr, 0, nullptr);
  });
}

hal_result StreamDispatch(hal_drv_stream* handle, hal_drv_kernel* kernel_handle,
                          const hal_dispatch_desc* desc) {
  Stream& stream = *Unwrap(handle);
  Kernel& kernel = *Unwrap(kernel_handle);
  const ze_kernel_handle_t ze_kernel = kernel.kernels[stream.target];
  gpu::ContextHealth* health = &stream.context->health;
  // Arguments are captured when the launch is appended: set and append them
  // under the kernel's lock, as other streams share the kernel.
  std::lock_guard lock(kernel.mutex);
  for (uint32_t i = 0; i < desc->binding_count; ++i) {
    void* pointer = At(*Unwrap(desc->bindings[i].buffer), desc->bindings[i].offset);
    if (const hal_result r =
            HAL_ZE(health, zeKernelSetArgumentValue, ze_kernel, i, sizeof(pointer), &pointer)) {
      return r;
    }
  }
  if (desc->push_constant_size > 0) {
    if (const hal_result r = HAL_ZE(health, zeKernelSetArgumentValue, ze_kernel,
                                    desc->binding_count, desc->push_constant_size,
                                    desc->push_constants)) {
      return r;
    }
  }
  const ze_group_count_t groups{desc->workgroup_count[0], desc->workgroup_count[1],
                                desc->workgroup_count[2]};
  return Submit(stream, "zeCommandListAppendLaunchKernel", [&] {
    return Api().zeCommandListAppendLaunchKernel(stream.list, ze_kernel, &groups, nullptr, 0,
                                                 nullptr);
  });
}

hal_result StreamSignalEvent(hal_drv_stream* handle, hal_drv_event* event_handle) {
  Stream& stream = *Unwrap(handle);
  Event& event = *Unwrap(event_handle);
  if (const hal_result r = HAL_ZE(&stream.context->health, zeEventHostReset, event.event)) return r;
  if (const hal_result r = Submit(stream, "zeCommandListAppendWriteGlobalTimestamp", [&] {
        return Api().zeCommandListAppendWriteGlobalTimestamp(stream.list, event.timestamp,
                                                             event.event, 0, nullptr);
      })) {
    return r;
  }
  event.recorded.store(true, std::memory_order_release);
  return HAL_SUCCESS;
}

hal_result StreamWaitEvent(hal_drv_stream* handle, hal_drv_event* event_handle) {
  Stream& stream = *Unwrap(handle);
  Event& event = *Unwrap(event_handle);
  // An event never signalled has nothing to wait for (as a CUDA event).
  if (!event.recorded.load(std::memory_order_acquire)) return HAL_SUCCESS;
  return Submit(stream, "zeCommandListAppendWaitOnEvents", [&] {
    return Api().zeCommandListAppendWaitOnEvents(stream.list, 1, &event.event);
  });
}

hal_result StreamSynchronize(hal_drv_stream* handle) {
  Stream& stream = *Unwrap(handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  if (const hal_result r = MarkProgress(stream)) return Settle(stream, r);
  return Settle(stream, HAL_ZE(&stream.context->health, zeEventHostSynchronize,
                               stream.marker.event, UINT64_MAX));
}

hal_result StreamQuery(hal_drv_stream* handle) {
  Stream& stream = *Unwrap(handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  if (const hal_result r = MarkProgress(stream)) return Settle(stream, r);
  const ze_result_t status = Api().zeEventQueryStatus(stream.marker.event);
  if (status == ZE_RESULT_NOT_READY) return HAL_NOT_READY;
  return Settle(stream, ZeErrors().Check(status, "zeEventQueryStatus", "", &stream.context->health));
}

hal_result EventCreate(hal_drv_context* handle, const hal_event_desc*, hal_drv_event** out_event) {
  return Guarded([&] {
    Context& context = *Unwrap(handle);
    if (const hal_result r = context.health.Check()) return r;
    auto event = std::make_unique<Event>();
    if (const hal_result r = MakeEvent(context, true, event.get())) return r;
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* handle) {
  std::unique_ptr<Event> event(Unwrap(handle));
  ReleaseEvent(*event);
}

hal_result EventQuery(hal_drv_event* handle) {
  Event& event = *Unwrap(handle);
  if (!event.recorded.load(std::memory_order_acquire)) return HAL_NOT_READY;
  const ze_result_t status = Api().zeEventQueryStatus(event.event);
  if (status == ZE_RESULT_NOT_READY) return HAL_NOT_READY;
  return ZeErrors().Check(status, "zeEventQueryStatus", "", &event.context->health);
}

hal_result EventSynchronize(hal_drv_event* handle) {
  Event& event = *Unwrap(handle);
  // Waiting for a signal never asked for would not end.
  if (!event.recorded.load(std::memory_order_acquire)) {
    return driver_support::Fail(HAL_ERROR_FAILED_PRECONDITION,
                                "cannot wait for an event that was never signalled");
  }
  return HAL_ZE(&event.context->health, zeEventHostSynchronize, event.event, UINT64_MAX);
}

hal_result EventTimestampNs(hal_drv_event* handle, uint64_t* out_ns) {
  Event& event = *Unwrap(handle);
  if (!event.recorded.load(std::memory_order_acquire)) {
    return driver_support::Fail(HAL_ERROR_FAILED_PRECONDITION, "the event was never signalled");
  }
  if (const hal_result r = EventSynchronize(handle)) return r;
  const Device& device = *event.context->device;
  *out_ns = (*event.timestamp & device.timestamp_mask) * device.timer_resolution_ns;
  return HAL_SUCCESS;
}

}  // namespace hal::level_zero
