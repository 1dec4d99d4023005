// The devices a remote driver serves: hald's list of the virtual devices this
// peer may attach to, in the daemon's order (remote:0, remote:1, ...).
#ifndef HAL_BACKENDS_REMOTE_REMOTE_DEVICES_H_
#define HAL_BACKENDS_REMOTE_REMOTE_DEVICES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/remote/connection.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {

struct RemoteDevice {
  std::string virtual_device;  // the name Attach and MemoryInfo take
  hal_device_properties properties;
  // hald takes this process's memfd as the memory of DEVICE buffers
  // (protocol 1.6), on a Unix socket.
  bool shared_device_memory = false;
};

// ListDevices over `connection`. Each device keeps the capabilities of
// kForwardedCapabilities hald lists for it, and no other. A device whose properties do not fit the
// ABI is InvalidArgument naming it; a list with no device is Unavailable,
// saying the daemon lets this peer attach to nothing.
absl::StatusOr<std::vector<RemoteDevice>> ListRemoteDevices(Connection& connection);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_REMOTE_DEVICES_H_
