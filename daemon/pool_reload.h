// SIGHUP: the pool file read again. Virtual devices it adds are created in the
// live pool; one it removes or changes is kept as it was, with a log line
// saying so (the runtime cannot resize a virtual device under its tenants,
// and removing one would pull it from under attached sessions). The pool's
// own settings (devices, overcommit, placement) are kept too.
#ifndef HAL_DAEMON_POOL_RELOAD_H_
#define HAL_DAEMON_POOL_RELOAD_H_

#include <ostream>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "hal/runtime.h"
#include "hal/virtual_device.h"

namespace hal::daemon {

// Whether two specs ask for the same virtual device.
bool SameSpec(const VirtualDeviceSpec& a, const VirtualDeviceSpec& b);

// An error when the file cannot be read as a pool file (nothing changes then).
// `dynamic`: the names of the virtual devices the admin requests created,
// which the file neither removes nor re-adds (a file entry of such a name is
// not added).
absl::Status ReloadVirtualDevices(const Runtime& runtime, Pool& pool, const std::string& path,
                                  const std::set<std::string, std::less<>>& dynamic,
                                  std::ostream& log);

}  // namespace hal::daemon

#endif  // HAL_DAEMON_POOL_RELOAD_H_
