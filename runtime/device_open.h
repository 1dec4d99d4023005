// Opens a device context, optionally owned by a tenant (a virtual device).
// PhysicalDevice::Open is the tenant-less case; virtual-device/ passes one.
#ifndef HAL_RUNTIME_DEVICE_OPEN_H_
#define HAL_RUNTIME_DEVICE_OPEN_H_

#include <memory>

#include "absl/status/statusor.h"
#include "hal/device.h"
#include "hal/physical_device.h"
#include "runtime/tenant.h"

namespace hal::internal {

absl::StatusOr<std::shared_ptr<Device>> OpenDevice(const PhysicalDevice& physical,
                                                   const DeviceOptions& options,
                                                   std::shared_ptr<Tenant> tenant);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DEVICE_OPEN_H_
