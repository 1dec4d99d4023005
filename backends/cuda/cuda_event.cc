// Events: CUDA events with timing, and their timestamps on the context's
// clock (gpu_core's EventClock: nanoseconds from the context's base event,
// precise however long the context lives). CUDA treats a never-recorded event
// as complete (cuEventQuery and cuEventSynchronize answer CUDA_SUCCESS); the
// ABI does not, so the driver tracks whether the event was ever signalled.
#include <memory>

#include "backends/cuda/cuda_entry_points.h"
#include "backends/cuda/cuda_handles.h"

namespace hal::cuda {
namespace {

CUevent Native(const Event& event) { return Narrow<CUevent>(event.handle); }

bool EverSignalled(const Event& event) { return event.signalled.load(std::memory_order_acquire); }

}  // namespace

hal_result EventCreate(hal_drv_context* context_handle, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    CUevent native = nullptr;
    if (const hal_result r = HAL_CU(&context.health, cuEventCreate, &native, CU_EVENT_DEFAULT)) {
      return r;
    }
    auto event = std::make_unique<Event>();
    event->context = &context;
    event->handle = Widen(native);
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event_handle) {
  std::unique_ptr<Event> event(Unwrap(event_handle));
  ScopedCurrent current(*event->context);
  Api().cuEventDestroy(Native(*event));
}

hal_result EventQuery(hal_drv_event* event_handle) {
  Event& event = *Unwrap(event_handle);
  if (!EverSignalled(event)) return HAL_NOT_READY;
  return InContext(*event.context, [&] {
    const CUresult result = Api().cuEventQuery(Native(event));
    if (result == CUDA_ERROR_NOT_READY) return HAL_NOT_READY;
    return Check(result, "cuEventQuery", &event.context->health);
  });
}

hal_result EventSynchronize(hal_drv_event* event_handle) {
  Event& event = *Unwrap(event_handle);
  // As the other drivers: waiting for a signal never asked for would not end.
  if (!EverSignalled(event)) {
    return gpu::Fail(HAL_ERROR_FAILED_PRECONDITION,
                     "cannot wait for an event that was never signalled");
  }
  return InContext(*event.context, [&] {
    return HAL_CU(&event.context->health, cuEventSynchronize, Native(event));
  });
}

hal_result EventTimestampNs(hal_drv_event* event_handle, uint64_t* out_ns) {
  Event& event = *Unwrap(event_handle);
  if (!EverSignalled(event)) {
    return gpu::Fail(HAL_ERROR_FAILED_PRECONDITION, "the event was never signalled");
  }
  Context& context = *event.context;
  return InContext(context, [&] {
    if (const hal_result r = HAL_CU(&context.health, cuEventSynchronize, Native(event))) return r;
    return context.clock->TimestampNs(event.handle, out_ns);
  });
}

}  // namespace hal::cuda
