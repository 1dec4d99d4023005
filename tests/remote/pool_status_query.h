// hald's view of its pool (status.proto's PoolStatus), asked over the wire as
// hal-info --pool does, so tests judge charges and residency by what the
// daemon's ledger says rather than by what a tenant believes.
#ifndef HAL_TESTS_REMOTE_POOL_STATUS_QUERY_H_
#define HAL_TESTS_REMOTE_POOL_STATUS_QUERY_H_

#include <string>

#include "absl/status/statusor.h"
#include "status.pb.h"

namespace hal::testing {

// Connects to `endpoint` with the test token (remote_pool.h), says Hello and
// asks for the status; the daemon's refusal or a broken connection otherwise.
absl::StatusOr<remote::v1::PoolStatus> QueryPoolStatus(const std::string& endpoint);

// The entry of virtual device `name`; NotFound naming it otherwise.
absl::StatusOr<remote::v1::VirtualDeviceStatus> VirtualDeviceOf(
    const remote::v1::PoolStatus& status, const std::string& name);

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_POOL_STATUS_QUERY_H_
