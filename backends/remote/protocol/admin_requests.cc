#include "backends/remote/protocol/admin_requests.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"

namespace hal::remote {

absl::StatusOr<CreatedVirtualDevice> CreateVirtualDevice(DaemonClient& daemon,
                                                         const VirtualDeviceRequest& request) {
  ClientMessage message;
  v1::VirtualDeviceCreate& create = *message.mutable_virtual_device_create();
  create.set_name(request.name);
  create.set_memory_quota(request.memory_quota);
  create.set_compute_share(request.compute_share);
  create.set_require_vendor(request.require_vendor);
  create.set_require_format(request.require_format);
  create.set_prefer_vendor(request.prefer_vendor);
  create.set_require_device(request.require_device);
  create.set_priority(request.priority);
  for (uint32_t uid : request.attach_uids) create.add_attach_uids(uid);
  create.set_owner(request.owner);
  create.set_lease(request.lease);
  HAL_ASSIGN_OR_RETURN(DaemonMessage answer, daemon.Call(std::move(message)),
                       "creating virtual device \"", request.name, "\"");
  if (!answer.has_virtual_device_created()) {
    return absl::UnavailableError(absl::StrCat("hald at ", daemon.endpoint(),
                                               " answered VirtualDeviceCreate without the "
                                               "virtual device"));
  }
  v1::VirtualDeviceCreated& created = *answer.mutable_virtual_device_created();
  return CreatedVirtualDevice{std::move(*created.mutable_name()),
                              std::move(*created.mutable_physical_device()),
                              std::move(*created.mutable_token())};
}

absl::Status DestroyVirtualDevice(DaemonClient& daemon, absl::string_view name) {
  ClientMessage message;
  message.mutable_virtual_device_destroy()->set_name(std::string(name));
  return daemon.Call(std::move(message)).status();
}

}  // namespace hal::remote
