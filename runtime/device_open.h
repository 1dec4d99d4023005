// Opens a device context, optionally owned by a tenant (a virtual device),
// under a residency controller (an overcommitted pool) and a compute gate (a
// time-sliced share). PhysicalDevice::Open passes none; virtual-device/ does.
#ifndef HAL_RUNTIME_DEVICE_OPEN_H_
#define HAL_RUNTIME_DEVICE_OPEN_H_

#include <memory>

#include "absl/status/statusor.h"
#include "hal/device.h"
#include "hal/physical_device.h"
#include "runtime/compute_gate.h"
#include "runtime/residency.h"
#include "runtime/tenant.h"

namespace hal::internal {

// What a virtual device attaches to its context; all null for a plain one.
struct TenantHooks {
  std::shared_ptr<Tenant> tenant;
  std::shared_ptr<ResidencyController> residency;
  std::shared_ptr<ComputeGate> compute_gate;
};

absl::StatusOr<std::shared_ptr<Device>> OpenDevice(const PhysicalDevice& physical,
                                                   const DeviceOptions& options,
                                                   TenantHooks hooks);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DEVICE_OPEN_H_
