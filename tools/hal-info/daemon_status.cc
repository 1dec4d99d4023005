#include "tools/hal-info/daemon_status.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/daemon_client.h"
#include "hal/status_macros.h"
#include "tools/hal-info/machine_report.h"

namespace hal::info {

std::string DefaultDaemonEndpoint() {
  const char* endpoint = std::getenv("HAL_REMOTE_ENDPOINT");
  return endpoint != nullptr && *endpoint != '\0' ? endpoint : "unix:/run/hal/hald.sock";
}

absl::StatusOr<PoolStatus> QueryDaemonStatus(const remote::Endpoint& where,
                                             const std::string& token, absl::Duration timeout) {
  HAL_ASSIGN_OR_RETURN(
      remote::DaemonClient daemon,
      remote::DaemonClient::Connect(where, token, absl::StrCat("hal-info pid ", getpid()), timeout),
      "asking for hald's status");
  remote::ClientMessage request;
  request.mutable_pool_status();
  HAL_ASSIGN_OR_RETURN(remote::DaemonMessage answer, daemon.Call(std::move(request)),
                       "asking for hald's status");
  if (!answer.has_pool_status()) {
    return absl::UnavailableError(absl::StrCat(
        "hald at ", daemon.endpoint(), " answered the status request without a status"));
  }
  return std::move(*answer.mutable_pool_status());
}

int ShowDaemonStatus(const std::string& endpoint, bool json) {
  absl::StatusOr<remote::Endpoint> where = remote::ParseEndpoint(endpoint);
  if (!where.ok()) {
    std::cerr << "hal-info: " << where.status().message() << "\n";
    return kExitError;
  }
  const char* token = std::getenv("HAL_REMOTE_TOKEN");
  absl::StatusOr<PoolStatus> status =
      QueryDaemonStatus(*where, token != nullptr ? token : "", absl::Seconds(10));
  if (!status.ok()) {
    std::cerr << "hal-info: " << status.status().message() << "\n";
    const bool refused = status.status().code() == absl::StatusCode::kPermissionDenied ||
                         status.status().code() == absl::StatusCode::kFailedPrecondition;
    return refused ? kExitDaemonRefused : kExitNoDaemon;
  }
  std::cout << (json ? RenderDaemonStatusJson(*status, endpoint)
                     : RenderDaemonStatusTable(*status, endpoint));
  return kExitUsableDevice;
}

}  // namespace hal::info
