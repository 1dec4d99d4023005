// Opens the driver a manifest names and checks it is one this runtime can
// use. Never fails the process: every problem becomes the driver's
// "unavailable" reason, which hal-info shows.
#ifndef HAL_RUNTIME_DRIVER_LOADER_H_
#define HAL_RUNTIME_DRIVER_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "hal/driver.h"
#include "hal/physical_device.h"
#include "runtime/driver_manifest.h"
#include "runtime/loaded_driver.h"

namespace hal::internal {

struct DriverLoadResult {
  Driver::Info info;                      // available, or the reason why not
  std::shared_ptr<LoadedDriver> driver;   // null when unavailable
  std::vector<DeviceProperties> devices;  // every device the driver reports
};

DriverLoadResult LoadDriver(const DriverManifest& manifest);

// The folder of the install (or build tree) holding the default manifests,
// found relative to libhal itself so the install is relocatable.
std::string DefaultDriverFolder();

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DRIVER_LOADER_H_
