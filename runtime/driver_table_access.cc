#include "hal/testing/driver_table.h"

#include "runtime/access.h"

namespace hal::testing {

DriverTableAccess DriverTableFor(const PhysicalDevice& device) {
  return DriverTableAccess{&internal::Access::Driver(device).table(), device.index()};
}

}  // namespace hal::testing
