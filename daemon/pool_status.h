// The answer to PoolStatusRequest (hal-info --pool): the pool, its virtual
// devices and the daemon's sessions as they are now, read from the pool's
// ledger, residency manager and time-slice scheduler and from the session
// registry (status.proto says what each field means).
#ifndef HAL_DAEMON_POOL_STATUS_H_
#define HAL_DAEMON_POOL_STATUS_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "daemon/session_registry.h"
#include "hal/virtual_device.h"
#include "status.pb.h"

namespace hal::daemon {

using remote::v1::PoolStatus;

// `daemon_started`: when the daemon started; uptime and each time-sliced
// virtual device's achieved share (busy time / wall time) count from it.
// `owners`: virtual device -> owner of those the admin requests created
// (shown as dynamic, with their owner).
PoolStatus BuildPoolStatus(const hal::Pool& pool, const SessionRegistry& sessions,
                           absl::Time daemon_started,
                           const std::map<std::string, std::string>& owners = {});

}  // namespace hal::daemon

#endif  // HAL_DAEMON_POOL_STATUS_H_
