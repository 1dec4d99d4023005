#include "tests/remote/pool_status_query.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/daemon_client.h"
#include "backends/remote/protocol/endpoint.h"
#include "tests/remote/remote_pool.h"

namespace hal::testing {

absl::StatusOr<remote::v1::PoolStatus> QueryPoolStatus(const std::string& endpoint) {
  auto parsed = remote::ParseEndpoint(endpoint);
  if (!parsed.ok()) return parsed.status();
  auto daemon =
      remote::DaemonClient::Connect(*parsed, kRemoteTestToken, "hal remote tests", absl::Seconds(5));
  if (!daemon.ok()) return daemon.status();
  remote::ClientMessage request;
  request.mutable_pool_status();
  auto answer = daemon->Call(std::move(request));
  if (!answer.ok()) return answer.status();
  if (!answer->has_pool_status()) return absl::InternalError("hald's answer holds no PoolStatus");
  return answer->pool_status();
}

absl::StatusOr<remote::v1::VirtualDeviceStatus> VirtualDeviceOf(
    const remote::v1::PoolStatus& status, const std::string& name) {
  for (const auto& vd : status.virtual_devices()) {
    if (vd.name() == name) return vd;
  }
  return absl::NotFoundError(absl::StrCat("hald's status lists no virtual device \"", name, "\""));
}

}  // namespace hal::testing
