// Test support: a fault-injection layer between the runtime and the driver,
// off by default, so that tests (and operators rehearsing failures) can make
// one device context fail as a real driver would, with the real driver
// underneath, and check that only that context fails.
//
// Enabled for the process by HAL_FAULT_INJECTION=1 in the environment or by
// SetFaultInjectionEnabled(true). Thread-safe.
#ifndef HAL_FAULT_INJECTION_H_
#define HAL_FAULT_INJECTION_H_

#include "absl/status/status.h"
#include "hal/export.h"

namespace hal {

class Device;

HAL_API void SetFaultInjectionEnabled(bool enabled);
HAL_API bool FaultInjectionEnabled();

// The next submission on any queue of `device` fails as if the driver had
// reported the device lost (HAL_ERROR_UNAVAILABLE). Like a real loss, the
// context is then lost: every later call on it fails at once with
// Unavailable naming the first failure. FailedPrecondition unless enabled.
HAL_API absl::Status InjectDeviceLost(Device& device);

}  // namespace hal

#endif  // HAL_FAULT_INJECTION_H_
