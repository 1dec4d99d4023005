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

namespace hal {

absl::StatusOr<std::shared_ptr<Buffer>> Device::RegisterHostMemory(void* host, uint64_t size) {
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
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  HAL_RETURN_IF_ERROR(internal::RequireCapability(*state_, Capability::kHostRegistration,
                                                  "registering host memory"));
  const hal_host_registration_desc desc = internal::HostRegistrationDesc(host, size);
  hal_drv_buffer* buffer = nullptr;
  HAL_RETURN_IF_ERROR(state_->driver->ToStatus(
      state_->table->host_register(state_->context, &desc, &buffer),
      absl::StrCat("registering ", size, " bytes of host memory with device ", state_->label)));
  // It takes no device memory: allocated size 0, nothing charged, never
  // evicted, and not zeroed (the contents are the caller's).
  return std::make_shared<Buffer>(std::make_shared<internal::BufferState>(
      state_, buffer, size, /*allocated_size=*/0, BufferKind::kHostStaging));
}

}  // namespace hal
