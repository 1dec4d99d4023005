// What hald's pool can still place on one device for this plugin: the
// device's placeable memory and compute less what virtual devices of other
// owners hold. The figures come from hald's PoolStatus, read over a socket,
// so the arithmetic saturates instead of trusting them: no overflow, no
// negative or NaN share, no out-of-range float-to-integer conversion.
#ifndef HAL_INTEGRATIONS_KUBERNETES_DEVICE_ROOM_H_
#define HAL_INTEGRATIONS_KUBERNETES_DEVICE_ROOM_H_

#include <cstdint>
#include <string>

#include "status.pb.h"

namespace hal::kubernetes {

struct Room {
  uint64_t bytes = 0;
  double share = 0;  // in [0, 1]
};

// The room on `device` besides the virtual devices of this plugin (any run
// of it: their owners start "kubernetes <resource_domain>/"), which it may
// re-advertise.
Room RoomOf(const remote::v1::PoolStatus& status, const remote::v1::PhysicalDeviceStatus& device,
            const std::string& resource_domain);

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_DEVICE_ROOM_H_
