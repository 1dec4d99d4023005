#include "backends/remote/remote_devices.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/capabilities.h"
#include "backends/remote/protocol/properties_codec.h"

namespace hal::remote {

absl::StatusOr<std::vector<RemoteDevice>> ListRemoteDevices(Connection& connection) {
  ClientMessage request;
  request.mutable_list_devices();
  absl::StatusOr<DaemonMessage> answer = connection.Call(std::move(request));
  if (!answer.ok()) return answer.status();
  std::vector<RemoteDevice> devices;
  for (const v1::DeviceProperties& wire : answer->device_list().devices()) {
    RemoteDevice device;
    device.virtual_device = wire.virtual_device();
    device.shared_device_memory = wire.shared_device_memory();
    device.properties = {};
    device.properties.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    if (absl::Status status = DevicePropertiesFromWire(wire, &device.properties); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(connection.daemon_name(), " lists device ",
                                                     devices.size(), " (", wire.virtual_device(),
                                                     ") with ", status.message()));
    }
    device.properties.capabilities &= kForwardedCapabilities;
    devices.push_back(std::move(device));
  }
  if (devices.empty()) {
    return absl::UnavailableError(
        absl::StrCat(connection.daemon_name(),
                     " lets this process attach to no virtual device (its pool file's access "
                     "rules name none for this user or token)"));
  }
  return devices;
}

}  // namespace hal::remote
