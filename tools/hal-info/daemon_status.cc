#include "tools/hal-info/daemon_status.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "hal/status_macros.h"
#include "tools/hal-info/machine_report.h"

namespace hal::info {
namespace {

using remote::DaemonMessage;

// The answer to request `id`; asynchronous messages (id 0) are skipped.
absl::StatusOr<DaemonMessage> Answer(remote::Channel& channel, uint64_t id,
                                     const std::string& endpoint) {
  DaemonMessage answer;
  do {
    HAL_RETURN_IF_ERROR(channel.ReceiveDaemonMessage(&answer), "asking hald at ", endpoint,
                        " for its status");
  } while (answer.request_id() == 0);
  if (answer.request_id() != id) {
    return absl::UnavailableError(absl::StrCat("hald at ", endpoint, " answered request ",
                                               answer.request_id(), " instead of ", id));
  }
  if (answer.has_status() && answer.status().code() != 0) {
    absl::Status refusal = remote::FromWire(answer.status());
    return absl::Status(refusal.code(),
                        absl::StrCat("hald at ", endpoint, " refused: ", refusal.message()));
  }
  return answer;
}

}  // namespace

std::string DefaultDaemonEndpoint() {
  const char* endpoint = std::getenv("HAL_REMOTE_ENDPOINT");
  return endpoint != nullptr && *endpoint != '\0' ? endpoint : "unix:/run/hal/hald.sock";
}

absl::StatusOr<PoolStatus> QueryDaemonStatus(const remote::Endpoint& where,
                                             const std::string& token, absl::Duration timeout) {
  const std::string endpoint = where.ToString();
  HAL_ASSIGN_OR_RETURN(remote::UniqueFd socket, remote::Connect(where, timeout));
  // A daemon that accepts but never answers must not hang hal-info.
  const timeval limit = absl::ToTimeval(timeout);
  setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  remote::Channel channel(std::move(socket));

  remote::ClientMessage hello;
  hello.set_request_id(1);
  hello.mutable_hello()->set_protocol_major(remote::kProtocolMajor);
  hello.mutable_hello()->set_protocol_minor(remote::kProtocolMinor);
  hello.mutable_hello()->set_client(absl::StrCat("hal-info pid ", getpid()));
  hello.mutable_hello()->set_token(token);
  HAL_RETURN_IF_ERROR(channel.Send(hello), "asking hald at ", endpoint, " for its status");
  HAL_ASSIGN_OR_RETURN(DaemonMessage welcome, Answer(channel, 1, endpoint));
  if (!welcome.has_welcome()) {
    return absl::UnavailableError(absl::StrCat("hald at ", endpoint, " answered Hello without Welcome"));
  }

  remote::ClientMessage request;
  request.set_request_id(2);
  request.mutable_pool_status();
  HAL_RETURN_IF_ERROR(channel.Send(request), "asking hald at ", endpoint, " for its status");
  HAL_ASSIGN_OR_RETURN(DaemonMessage answer, Answer(channel, 2, endpoint));
  if (!answer.has_pool_status()) {
    return absl::UnavailableError(
        absl::StrCat("hald at ", endpoint, " answered the status request without a status"));
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
