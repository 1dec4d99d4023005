// Opens a device context, optionally owned by a tenant (a virtual device) and
// under a residency controller (an overcommitted pool). PhysicalDevice::Open
// is the case with neither; virtual-device/ passes them.
#ifndef HAL_RUNTIME_DEVICE_OPEN_H_
#define HAL_RUNTIME_DEVICE_OPEN_H_

#include <memory>

#include "absl/status/statusor.h"
#include "hal/device.h"
#include "hal/physical_device.h"
#include "runtime/residency.h"
#include "runtime/tenant.h"

namespace hal::internal {

absl::StatusOr<std::shared_ptr<Device>> OpenDevice(const PhysicalDevice& physical,
                                                   const DeviceOptions& options,
                                                   std::shared_ptr<Tenant> tenant,
                                                   std::shared_ptr<ResidencyController> residency);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DEVICE_OPEN_H_
