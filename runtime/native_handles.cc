// NativeHandle() of devices, buffers, queues, events and kernels: the vendor
// object behind each, through the driver's native_handle entry.
#include "absl/strings/str_cat.h"
#include "hal/buffer.h"
#include "hal/device.h"
#include "hal/event.h"
#include "hal/kernel.h"
#include "hal/queue.h"
#include "hal/status_macros.h"
#include "runtime/buffer_address.h"
#include "runtime/capability_check.h"
#include "runtime/object_states.h"
#include "runtime/queue_state.h"

namespace hal {
namespace {

// The handle of `object` (a hal_drv_* of `kind`) of `device`, `what` naming
// the object in errors.
absl::StatusOr<NativeHandle> QueryNativeHandle(internal::DeviceState& device, hal_object_kind kind,
                                               const void* object, absl::string_view what) {
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  const std::string description = absl::StrCat("the native handle of ", what);
  HAL_RETURN_IF_ERROR(internal::RequireCapability(device, Capability::kNativeHandles, description));
  hal_native_handle raw{};
  HAL_RETURN_IF_ERROR(
      device.driver->ToStatus(device.table->native_handle(device.context, kind, object, &raw),
                              absl::StrCat("reading ", description, " of device ", device.label)));
  if (raw.kind == nullptr || raw.kind[0] == '\0') {
    return absl::InternalError(absl::StrCat(device.driver->name(), " driver: ", description,
                                            " of device ", device.label, " has no kind"));
  }
  return NativeHandle{raw.kind, raw.value};
}

}  // namespace

absl::StatusOr<NativeHandle> Device::NativeHandle() const {
  if (state_->tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        "device ", state_->label,
        " is a virtual device: its vendor context is not handed out, as work and memory made "
        "through it would bypass the virtual device's quotas and its isolation from the pool's "
        "other tenants (the handles of its buffers, queues, events and kernels are)"));
  }
  return QueryNativeHandle(*state_, HAL_OBJECT_CONTEXT, state_->context, "a device");
}

absl::StatusOr<NativeHandle> Buffer::NativeHandle() const {
  constexpr absl::string_view kWhat = "a buffer";
  internal::DeviceState& device = *state_->device;
  // Checked before the residency question, so a lost device or one without
  // handles answers as it would for any other object.
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  HAL_RETURN_IF_ERROR(internal::RequireCapability(device, Capability::kNativeHandles,
                                                  "the native handle of a buffer"));
  HAL_ASSIGN_OR_RETURN(hal_drv_buffer * handle,
                       internal::StableDriverBuffer(*this, pinned_.load(std::memory_order_acquire),
                                                    "the native handle"));
  return QueryNativeHandle(device, HAL_OBJECT_BUFFER, handle, kWhat);
}

absl::StatusOr<NativeHandle> Queue::NativeHandle() const {
  return QueryNativeHandle(*state_->device(), HAL_OBJECT_STREAM, state_->stream(), "a queue");
}

absl::StatusOr<NativeHandle> Event::NativeHandle() const {
  return QueryNativeHandle(*state_->device, HAL_OBJECT_EVENT, state_->event, "an event");
}

absl::StatusOr<NativeHandle> Kernel::NativeHandle() const {
  return QueryNativeHandle(*state_->device, HAL_OBJECT_KERNEL, state_->kernel,
                           absl::StrCat("kernel \"", state_->info.name, "\""));
}

}  // namespace hal
