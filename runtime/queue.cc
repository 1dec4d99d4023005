#include "hal/queue.h"

#include "absl/strings/str_cat.h"
#include "hal/buffer.h"
#include "hal/event.h"
#include "hal/kernel.h"
#include "hal/status_macros.h"
#include "runtime/queue_state.h"
#include "runtime/queue_validation.h"

namespace hal {
namespace {

// Submits through the driver (`enqueue`); on success retains `objects` and
// lets the queue release what completed.
// `describe` names the work in an error message; it runs only on failure, so
// the hot path formats nothing.
template <typename Enqueue, typename Describe, typename... Objects>
absl::Status Submit(internal::QueueState& queue, const Enqueue& enqueue, const Describe& describe,
                    const Objects&... objects) {
  internal::DeviceState& device = *queue.device();
  if (absl::Status usable = device.health.CheckUsable(device.label); !usable.ok()) {
    queue.DropBindings();
    return usable;
  }
  if (device.health.TakeFault()) {
    // The fault-injection layer stands in for the driver's answer.
    queue.DropBindings();
    absl::Status lost = absl::UnavailableError(
        absl::StrCat(device.driver->name(), " driver: ", describe(), " on device ", device.label,
                     " failed (HAL_ERROR_UNAVAILABLE): injected fault: device lost"));
    device.health.Record(lost);
    return lost;
  }
  if (hal_result result = enqueue(); result != HAL_SUCCESS) {
    queue.DropBindings();
    absl::Status status =
        device.driver->ToStatus(result, absl::StrCat(describe(), " on device ", device.label));
    device.health.Record(status);
    return status;
  }
  queue.CommitBindings();
  (queue.Retain(objects), ...);
  queue.AfterSubmit();
  return absl::OkStatus();
}

// Work that occupies the device (copies, fills, dispatches) also passes the
// tenant's compute gate, which may hold it back while over its share.
template <typename Enqueue, typename Describe, typename... Objects>
absl::Status SubmitWork(internal::QueueState& queue, const Enqueue& enqueue,
                        const Describe& describe, const Objects&... objects) {
  if (absl::Status status = queue.EnterGate(); !status.ok()) {
    queue.DropBindings();
    return status;
  }
  absl::Status status = Submit(queue, enqueue, describe, objects...);
  queue.LeaveGate();
  return status;
}

}  // namespace

Queue::Queue(std::unique_ptr<internal::QueueState> state) : state_(std::move(state)) {}
Queue::~Queue() = default;

absl::Status Queue::CopyHostToDevice(const void* src, const Buffer& dst, uint64_t dst_offset,
                                     uint64_t size) {
  const internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(internal::CheckHostPointer(src, "copy source", size));
  HAL_RETURN_IF_ERROR(
      internal::CheckBufferRange(device, dst, "copy destination", dst_offset, size));
  if (size == 0) return absl::OkStatus();
  HAL_ASSIGN_OR_RETURN(hal_drv_buffer * dst_handle, state_->Bind(internal::Access::State(dst)));
  return SubmitWork(
      *state_,
      [&] {
        return device.table->stream_copy_host_to_device(state_->stream(), src, dst_handle,
                                                        dst_offset, size);
      },
      [&] { return absl::StrCat("copying ", size, " bytes from host to device"); },
      internal::Access::State(dst));
}

absl::Status Queue::CopyDeviceToHost(const Buffer& src, uint64_t src_offset, void* dst,
                                     uint64_t size) {
  const internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(internal::CheckHostPointer(dst, "copy destination", size));
  HAL_RETURN_IF_ERROR(internal::CheckBufferRange(device, src, "copy source", src_offset, size));
  if (size == 0) return absl::OkStatus();
  HAL_ASSIGN_OR_RETURN(hal_drv_buffer * src_handle, state_->Bind(internal::Access::State(src)));
  return SubmitWork(
      *state_,
      [&] {
        return device.table->stream_copy_device_to_host(state_->stream(), src_handle, src_offset,
                                                        dst, size);
      },
      [&] { return absl::StrCat("copying ", size, " bytes from device to host"); },
      internal::Access::State(src));
}

absl::Status Queue::CopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                               uint64_t dst_offset, uint64_t size) {
  const internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(internal::CheckCopyBuffer(device, src, src_offset, dst, dst_offset, size));
  if (size == 0) return absl::OkStatus();
  HAL_ASSIGN_OR_RETURN(hal_drv_buffer * src_handle, state_->Bind(internal::Access::State(src)));
  auto dst_handle = state_->Bind(internal::Access::State(dst));
  if (!dst_handle.ok()) {
    state_->DropBindings();
    return dst_handle.status();
  }
  return SubmitWork(
      *state_,
      [&] {
        return device.table->stream_copy_buffer(state_->stream(), src_handle, src_offset,
                                                *dst_handle, dst_offset, size);
      },
      [&] { return absl::StrCat("copying ", size, " bytes between buffers"); },
      internal::Access::State(src), internal::Access::State(dst));
}

absl::Status Queue::Fill(const Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern) {
  const internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(internal::CheckFill(device, dst, offset, size));
  if (size == 0) return absl::OkStatus();
  HAL_ASSIGN_OR_RETURN(hal_drv_buffer * dst_handle, state_->Bind(internal::Access::State(dst)));
  return SubmitWork(
      *state_,
      [&] {
        return device.table->stream_fill(state_->stream(), dst_handle, offset, size, pattern);
      },
      [&] { return absl::StrCat("filling ", size, " bytes"); }, internal::Access::State(dst));
}

absl::Status Queue::Dispatch(const Kernel& kernel, GridSize grid,
                             absl::Span<const BufferBinding> bindings,
                             absl::Span<const uint8_t> push_constants) {
  const internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(internal::CheckDispatch(device, kernel, grid, bindings, push_constants));
  hal_binding raw_bindings[kMaxBindings];
  for (size_t i = 0; i < bindings.size(); ++i) {
    auto handle = state_->Bind(internal::Access::State(*bindings[i].buffer));
    if (!handle.ok()) {
      state_->DropBindings();
      return handle.status();
    }
    raw_bindings[i].buffer = *handle;
    raw_bindings[i].offset = bindings[i].offset;
  }
  hal_dispatch_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_DISPATCH_DESC;
  desc.workgroup_count[0] = grid.x;
  desc.workgroup_count[1] = grid.y;
  desc.workgroup_count[2] = grid.z;
  desc.bindings = raw_bindings;
  desc.binding_count = static_cast<uint32_t>(bindings.size());
  desc.push_constants = push_constants.data();
  desc.push_constant_size = static_cast<uint32_t>(push_constants.size());
  HAL_RETURN_IF_ERROR(SubmitWork(
      *state_,
      [&] {
        return device.table->stream_dispatch(state_->stream(),
                                             internal::Access::State(kernel)->kernel, &desc);
      },
      [&] { return absl::StrCat("dispatching kernel \"", kernel.name(), "\""); },
      internal::Access::State(kernel)));
  for (const BufferBinding& binding : bindings)
    state_->Retain(internal::Access::State(*binding.buffer));
  return absl::OkStatus();
}

absl::Status Queue::Signal(Event& event) {
  const internal::DeviceState& device = *state_->device();
  const auto& event_state = internal::Access::State(event);
  HAL_RETURN_IF_ERROR(internal::CheckOwner(device, *event_state->device, "event"));
  HAL_RETURN_IF_ERROR(Submit(
      *state_,
      [&] { return device.table->stream_signal_event(state_->stream(), event_state->event); },
      [] { return "signalling an event"; }, event_state));
  event_state->submitted.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Queue::Wait(const Event& event) {
  const internal::DeviceState& device = *state_->device();
  const auto& event_state = internal::Access::State(event);
  HAL_RETURN_IF_ERROR(internal::CheckOwner(device, *event_state->device, "event"));
  if (!event_state->submitted.load(std::memory_order_acquire)) {
    // Waiting for an event nothing will signal would hang the queue forever.
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot wait for an event of device ", device.label, " that no queue has signalled"));
  }
  return Submit(
      *state_,
      [&] { return device.table->stream_wait_event(state_->stream(), event_state->event); },
      [] { return "waiting for an event"; }, event_state);
}

absl::Status Queue::Synchronize() {
  internal::DeviceState& device = *state_->device();
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  absl::Status status = state_->Synchronize();
  device.health.Record(status);
  return status;
}

}  // namespace hal
