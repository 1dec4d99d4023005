// Buffer::Pin and Buffer::DeviceAddress: what makes a buffer's address safe
// to hand out of hal, and the address itself.
#include "runtime/buffer_address.h"

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "runtime/capability_check.h"
#include "runtime/object_states.h"

namespace hal {
namespace internal {

absl::StatusOr<hal_drv_buffer*> StableDriverBuffer(const Buffer& buffer, bool pinned,
                                                   absl::string_view what) {
  const std::shared_ptr<BufferState>& state = Access::State(buffer);
  DeviceState& device = *state->device;
  ResidencyController* residency = device.residency.get();
  // Pinned, it was restored and never moves again: the handle is final.
  if (residency == nullptr || pinned) return state->buffer;
  // Both set at registration, before the buffer was handed out, and never
  // changed: readable without the controller's lock. A buffer never
  // registered (registered host memory) is never evicted.
  if (!state->residency_slot.registered) return state->buffer;
  if (!state->residency_slot.decommittable) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " of a buffer of ", state->size, " bytes of device ", device.label,
        " in an overcommitted pool: eviction could move it to a new address (",
        device.props().capabilities.has(Capability::kVirtualMemory)
            ? "it is smaller than the device's virtual-memory granularity, or a staging buffer"
            : "the device has no virtual-memory capability",
        "); Pin() it first"));
  }
  // Restores a buffer allocated evicted and reads its handle under the
  // controller's lock; the token is dropped at once, as no work follows.
  hal_drv_buffer* handle = nullptr;
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<const void> token,
                       residency->Acquire(state, /*may_wait=*/true, &handle));
  return handle;
}

}  // namespace internal

absl::Status Buffer::Pin() const {
  internal::DeviceState& device = *state_->device;
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  if (device.residency) HAL_RETURN_IF_ERROR(device.residency->Pin(*state_));
  pinned_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Buffer::DeviceAddress() const {
  internal::DeviceState& device = *state_->device;
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  constexpr absl::string_view kWhat = "the device address";
  HAL_RETURN_IF_ERROR(internal::RequireCapability(device, Capability::kDeviceAddress, kWhat));
  HAL_ASSIGN_OR_RETURN(
      hal_drv_buffer * handle,
      internal::StableDriverBuffer(*this, pinned_.load(std::memory_order_acquire), kWhat));
  uint64_t address = 0;
  HAL_RETURN_IF_ERROR(
      device.driver->ToStatus(device.table->buffer_device_address(device.context, handle, &address),
                              absl::StrCat("reading the device address of a buffer of ",
                                           state_->size, " bytes of device ", device.label)));
  return address;
}

}  // namespace hal
