// Streams: an immediate command list each, on the device's compute queue
// group. Level Zero does not order the commands of a list by itself, so a
// barrier follows every command, making the stream in order as the ABI
// wants; it signals a marker event that query and synchronize look at. Events: each signal takes a Level Zero event of its own (ze_state.h
// says why), in a host-visible pool, and writes the device's global timestamp
// (zeCommandListAppendWriteGlobalTimestamp, after every earlier command) into
// the event's host slot as it signals it.
#include <memory>

#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"

namespace hal::level_zero {
namespace {

hal_result MakeEvent(Context& context, bool with_timestamp, ZeEvent* event) {
  const ze_context_handle_t ze_context = context.device->context;
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

void ReleaseEvent(const Context& context, const ZeEvent& event) {
  if (event.timestamp != nullptr) Api().zeMemFree(context.device->context, event.timestamp);
  Api().zeEventDestroy(event.event);
  Api().zeEventPoolDestroy(event.pool);
}

// The Level Zero event the next signal of `event` uses: the current one
// before the first signal, else a spare (earlier events no stream waited
// for, once signalled) or a new one. Called with event.mutex held.
hal_result NextSignal(Event& event, ZeEvent* out) {
  if (!event.recorded) {
    *out = event.current;
    return HAL_SUCCESS;
  }
  event.retired.push_back(event.current);
  std::erase_if(event.retired, [&](const ZeEvent& old) {
    if (old.waited || Api().zeEventQueryStatus(old.event) != ZE_RESULT_SUCCESS) return false;
    event.spare.push_back(old);
    return true;
  });
  if (event.spare.empty()) return MakeEvent(*event.context, true, out);
  *out = event.spare.back();
  event.spare.pop_back();
  return HAL_SUCCESS;
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

// Moves the markers the stream has reached to the free list.
void RecycleMarkers(Stream& stream) {
  while (!stream.in_flight.empty() &&
         Api().zeEventQueryStatus(stream.in_flight.front().event) == ZE_RESULT_SUCCESS) {
    stream.free_markers.push_back(stream.in_flight.front());
    stream.in_flight.pop_front();
  }
}

// Appends one command (a call returning ze_result_t) and the barrier that
// orders it before the next and signals a marker when it is done.
template <typename Append>
hal_result Submit(Stream& stream, const char* name, const Append& append) {
  Context& context = *stream.context;
  if (const hal_result r = context.health.Check()) return r;
  if (const hal_result r = ZeErrors().Check(append(), name, "", &context.health)) return r;
  RecycleMarkers(stream);
  ZeEvent marker;
  if (stream.free_markers.empty()) {
    if (const hal_result r = MakeEvent(context, false, &marker)) return r;
  } else {
    marker = stream.free_markers.back();
    stream.free_markers.pop_back();
    if (const hal_result r = HAL_ZE(&context.health, zeEventHostReset, marker.event)) {
      stream.free_markers.push_back(marker);
      return r;
    }
  }
  const hal_result appended = HAL_ZE(&context.health, zeCommandListAppendBarrier, stream.list,
                                     marker.event, 0, nullptr);
  if (appended != HAL_SUCCESS) {
    stream.free_markers.push_back(marker);
    return appended;
  }
  stream.in_flight.push_back(marker);
  return HAL_SUCCESS;
}

// The stream's answer after a wait or query of its latest marker returned
// `result`.
hal_result Settle(Stream& stream, hal_result result) {
  if (result != HAL_SUCCESS && result != HAL_NOT_READY) {
    return stream.first_error.Record(result, driver_support::LastErrorMessage());
  }
  if (result == HAL_SUCCESS) RecycleMarkers(stream);
  if (const hal_result first = stream.first_error.Get()) return first;
  return result;
}

char* At(Buffer& buffer, uint64_t offset) { return static_cast<char*>(buffer.pointer) + offset; }

// Waits for the latest signal; called with event.mutex held.
hal_result WaitForSignal(Event& event) {
  // Waiting for a signal never asked for would not end.
  if (!event.recorded) {
    return driver_support::Fail(HAL_ERROR_FAILED_PRECONDITION,
                                "cannot wait for an event that was never signalled");
  }
  return HAL_ZE(&event.context->health, zeEventHostSynchronize, event.current.event, UINT64_MAX);
}

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
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* handle) {
  std::unique_ptr<Stream> stream(Unwrap(handle));
  if (!stream->in_flight.empty()) {
    Api().zeEventHostSynchronize(stream->in_flight.back().event, UINT64_MAX);
  }
  for (const ZeEvent& marker : stream->in_flight) ReleaseEvent(*stream->context, marker);
  for (const ZeEvent& marker : stream->free_markers) ReleaseEvent(*stream->context, marker);
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
  std::lock_guard lock(event.mutex);
  ZeEvent next;
  if (const hal_result r = NextSignal(event, &next)) return r;
  next.waited = false;
  if (const hal_result r = HAL_ZE(&stream.context->health, zeEventHostReset, next.event)) {
    event.spare.push_back(next);
    return r;
  }
  const hal_result appended = Submit(stream, "zeCommandListAppendWriteGlobalTimestamp", [&] {
    return Api().zeCommandListAppendWriteGlobalTimestamp(stream.list, next.timestamp, next.event,
                                                         0, nullptr);
  });
  event.current = next;
  event.recorded = true;
  return appended;
}

hal_result StreamWaitEvent(hal_drv_stream* handle, hal_drv_event* event_handle) {
  Stream& stream = *Unwrap(handle);
  Event& event = *Unwrap(event_handle);
  std::lock_guard lock(event.mutex);
  // An event never signalled has nothing to wait for (as a CUDA event).
  if (!event.recorded) return HAL_SUCCESS;
  event.current.waited = true;
  return Submit(stream, "zeCommandListAppendWaitOnEvents", [&] {
    return Api().zeCommandListAppendWaitOnEvents(stream.list, 1, &event.current.event);
  });
}

hal_result StreamSynchronize(hal_drv_stream* handle) {
  Stream& stream = *Unwrap(handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  if (stream.in_flight.empty()) return HAL_SUCCESS;
  return Settle(stream, HAL_ZE(&stream.context->health, zeEventHostSynchronize,
                               stream.in_flight.back().event, UINT64_MAX));
}

hal_result StreamQuery(hal_drv_stream* handle) {
  Stream& stream = *Unwrap(handle);
  if (const hal_result first = stream.first_error.Get()) return first;
  if (stream.in_flight.empty()) return HAL_SUCCESS;
  const ze_result_t status = Api().zeEventQueryStatus(stream.in_flight.back().event);
  if (status == ZE_RESULT_NOT_READY) return HAL_NOT_READY;
  return Settle(stream, ZeErrors().Check(status, "zeEventQueryStatus", "", &stream.context->health));
}

hal_result EventCreate(hal_drv_context* handle, const hal_event_desc*, hal_drv_event** out_event) {
  return Guarded([&] {
    Context& context = *Unwrap(handle);
    if (const hal_result r = context.health.Check()) return r;
    auto event = std::make_unique<Event>();
    event->context = &context;
    if (const hal_result r = MakeEvent(context, true, &event->current)) return r;
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* handle) {
  std::unique_ptr<Event> event(Unwrap(handle));
  ReleaseEvent(*event->context, event->current);
  for (const ZeEvent& old : event->retired) ReleaseEvent(*event->context, old);
  for (const ZeEvent& old : event->spare) ReleaseEvent(*event->context, old);
}

hal_result EventQuery(hal_drv_event* handle) {
  Event& event = *Unwrap(handle);
  std::lock_guard lock(event.mutex);
  if (!event.recorded) return HAL_NOT_READY;
  const ze_result_t status = Api().zeEventQueryStatus(event.current.event);
  if (status == ZE_RESULT_NOT_READY) return HAL_NOT_READY;
  return ZeErrors().Check(status, "zeEventQueryStatus", "", &event.context->health);
}

hal_result EventSynchronize(hal_drv_event* handle) {
  Event& event = *Unwrap(handle);
  std::lock_guard lock(event.mutex);
  return WaitForSignal(event);
}

hal_result EventTimestampNs(hal_drv_event* handle, uint64_t* out_ns) {
  Event& event = *Unwrap(handle);
  std::lock_guard lock(event.mutex);
  if (const hal_result r = WaitForSignal(event)) return r;
  const Device& device = *event.context->device;
  *out_ns = (*event.current.timestamp & device.timestamp_mask) * device.timer_resolution_ns;
  return HAL_SUCCESS;
}

}  // namespace hal::level_zero
