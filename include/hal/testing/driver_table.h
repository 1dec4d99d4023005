// Test support: the driver table behind a PhysicalDevice, so that a
// conformance suite can call a driver's entry points directly where the public
// API cannot reach an outcome (a NULL optional entry, a refused charge, an
// out-of-contract-for-the-runtime but in-contract-for-the-driver argument).
// Like hal/fault_injection.h, it is for tests only: everything the runtime
// validates above the ABI is bypassed, so a caller must keep every call within
// the contract of include/hal/driver/hal_driver.h.
#ifndef HAL_TESTING_DRIVER_TABLE_H_
#define HAL_TESTING_DRIVER_TABLE_H_

#include <cstdint>

#include "hal/driver/hal_driver.h"
#include "hal/export.h"

namespace hal {

class PhysicalDevice;

namespace testing {

struct DriverTableAccess {
  const hal_driver_table* table;  // the table the runtime loaded (already initialize()d)
  uint32_t device_index;          // the device's index for device_* / context_create
};

// Valid while the PhysicalDevice's Runtime (or a Device opened from it) lives:
// they keep the driver library loaded.
HAL_API DriverTableAccess DriverTableFor(const PhysicalDevice& device);

}  // namespace testing
}  // namespace hal

#endif  // HAL_TESTING_DRIVER_TABLE_H_
