// Reads a driver's device properties into the public struct, filling in what
// an older driver did not know.
#ifndef HAL_RUNTIME_DEVICE_PROPERTIES_H_
#define HAL_RUNTIME_DEVICE_PROPERTIES_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "hal/physical_device.h"
#include "runtime/loaded_driver.h"

namespace hal::internal {

absl::StatusOr<DeviceProperties> QueryDeviceProperties(const LoadedDriver& driver,
                                                       uint32_t index);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DEVICE_PROPERTIES_H_
