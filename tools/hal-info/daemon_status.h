// hal-info --pool without a file: ask a running hald (docs/hal-info.md,
// "A running daemon") for its pool, virtual devices and sessions.
#ifndef HAL_TOOLS_HAL_INFO_DAEMON_STATUS_H_
#define HAL_TOOLS_HAL_INFO_DAEMON_STATUS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/endpoint.h"
#include "status.pb.h"

namespace hal::info {

using remote::v1::PoolStatus;

// HAL_REMOTE_ENDPOINT when set, else unix:/run/hal/hald.sock (the remote
// driver's default: hal-info asks the daemon tenants would reach).
std::string DefaultDaemonEndpoint();

// Connects to `endpoint`, says Hello (with `token`, e.g. HAL_REMOTE_TOKEN)
// and asks for the status. When no daemon answers (nothing listens, the
// connection closes, `timeout` passes, the peer speaks something else):
// Unavailable, DeadlineExceeded or InvalidArgument naming the endpoint. When
// the daemon refuses: its own status (PermissionDenied for a peer its pool
// file does not allow, FailedPrecondition for another protocol version),
// "hald at <endpoint> refused: <why>".
absl::StatusOr<PoolStatus> QueryDaemonStatus(const remote::Endpoint& endpoint,
                                             const std::string& token, absl::Duration timeout);

std::string RenderDaemonStatusTable(const PoolStatus& status, const std::string& endpoint);
// One JSON object, schema "hal_pool_status_schema": 1 (docs/hal-info.md).
std::string RenderDaemonStatusJson(const PoolStatus& status, const std::string& endpoint);

// The whole --pool (daemon) mode: query, print to stdout (or the reason to
// stderr), and the exit code: kExitUsableDevice when the daemon answered,
// kExitError for an endpoint that does not parse, kExitDaemonRefused,
// kExitNoDaemon otherwise (machine_report.h).
int ShowDaemonStatus(const std::string& endpoint, bool json);

}  // namespace hal::info

#endif  // HAL_TOOLS_HAL_INFO_DAEMON_STATUS_H_
