// Events: vendor events with timing, and their timestamps on the context's
// clock (EventClock: nanoseconds from the context's base event, precise
// however long the context lives). CUDA and HIP treat a never-recorded event
// as complete; the ABI does not, so the core tracks whether the event was
// ever signalled.
#include <memory>

#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/table_functions.h"

namespace hal::gpu {
namespace {

bool EverSignalled(const GpuEvent& event) {
  return event.signalled.load(std::memory_order_acquire);
}

}  // namespace

hal_result EventCreate(hal_drv_context* context_handle, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    auto event = std::make_unique<GpuEvent>();
    event->context = &context;
    if (const hal_result r = context.vendor.EventCreate(context, &event->handle)) return r;
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event) {
  DestroyWithVendor(Unwrap(event), [](Vendor& vendor, Context& context, uint64_t handle) {
    vendor.EventDestroy(context, handle);
  });
}

hal_result EventQuery(hal_drv_event* event_handle) {
  GpuEvent& event = *Unwrap(event_handle);
  if (!EverSignalled(event)) return HAL_NOT_READY;
  Context& context = *event.context;
  return InContext(context, [&] { return context.vendor.EventQuery(context, event.handle); });
}

hal_result EventSynchronize(hal_drv_event* event_handle) {
  GpuEvent& event = *Unwrap(event_handle);
  // As the other drivers: waiting for a signal never asked for would not end.
  if (!EverSignalled(event)) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "cannot wait for an event that was never signalled");
  }
  Context& context = *event.context;
  return InContext(context, [&] { return context.vendor.EventSynchronize(context, event.handle); });
}

hal_result EventTimestampNs(hal_drv_event* event_handle, uint64_t* out_ns) {
  GpuEvent& event = *Unwrap(event_handle);
  if (!EverSignalled(event)) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "the event was never signalled");
  }
  Context& context = *event.context;
  return InContext(context, [&] {
    if (const hal_result r = context.vendor.EventSynchronize(context, event.handle)) return r;
    return context.clock->TimestampNs(event.handle, out_ns);
  });
}

}  // namespace hal::gpu
