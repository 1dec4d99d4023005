// Device::RegisterHostMemory: the caller's host memory as a host-staging
// buffer, through the driver's host_register.
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "hal/buffer.h"
#include "hal/device.h"
#include "hal/status_macros.h"
#include "runtime/capability_check.h"
#include "runtime/driver_descs.h"
#include "runtime/object_states.h"
#include "runtime/tenant.h"

namespace hal {

absl::StatusOr<std::shared_ptr<Buffer>> Device::RegisterHostMemory(void* host, uint64_t size) {
  return RegisterHostMemory(host, size, HostRegistrationOptions{});
}

absl::StatusOr<std::shared_ptr<Buffer>> Device::RegisterHostMemory(
    void* host, uint64_t size, const HostRegistrationOptions& options) {
  // The ABI asks for whole pages: what every vendor's registration pins.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (host == nullptr || size == 0 || reinterpret_cast<uintptr_t>(host) % page != 0 ||
      size % page != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register ", size, " bytes of host memory at ", absl::Hex(host),
                     " with device ", state_->label,
                     ": the address must be non-null and the address and "
                     "size non-zero multiples of the page size (",
                     page, " bytes)"));
  }
  if (options.charged_size > size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot charge ", options.charged_size, " bytes for registering ", size,
        " bytes of host memory with device ", state_->label, ": at most the registered size"));
  }
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  HAL_RETURN_IF_ERROR(internal::RequireCapability(*state_, Capability::kHostRegistration,
                                                  "registering host memory"));
  // Charged (when asked) before the driver is called, as Allocate does, so a
  // registration over quota fails without touching the device.
  internal::Tenant* tenant = options.charge_quota ? state_->tenant.get() : nullptr;
  const uint64_t charged_size = options.charged_size != 0 ? options.charged_size : size;
  const uint64_t charge = state_->props().RoundedToAllocationGranularity(charged_size);
  if (tenant != nullptr) HAL_RETURN_IF_ERROR(tenant->Charge(charge, charged_size));
  const hal_host_registration_desc desc = internal::HostRegistrationDesc(host, size);
  hal_drv_buffer* buffer = nullptr;
  if (absl::Status status = state_->driver->ToStatus(
          state_->table->host_register(state_->context, &desc, &buffer),
          absl::StrCat("registering ", size, " bytes of host memory with device ", state_->label));
      !status.ok()) {
    if (tenant != nullptr) tenant->Uncharge(charge);
    return status;
  }
  // It takes no device memory: allocated size 0, never evicted, and not
  // zeroed (the contents are the caller's). The state gives the charge back.
  // Queues keep the state (not the Buffer) alive while their work uses it,
  // and dropping the state unregisters the memory: keep_alive goes after.
  std::shared_ptr<internal::BufferState> buffer_state(
      new internal::BufferState(state_, buffer, size, /*allocated_size=*/0,
                                BufferKind::kHostStaging),
      [keep_alive = options.keep_alive](internal::BufferState* state) mutable {
        delete state;
        keep_alive.reset();
      });
  if (tenant != nullptr) buffer_state->charged = charge;
  return std::make_shared<Buffer>(std::move(buffer_state));
}

}  // namespace hal
