#include "backends/remote/protocol/daemon_client.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "hal/status_macros.h"

namespace hal::remote {
namespace {

// The answer to request `id`, asynchronous messages (id 0) skipped; a
// refusal becomes the daemon's own status code.
absl::StatusOr<DaemonMessage> Answer(Channel& channel, uint64_t id, const std::string& endpoint) {
  DaemonMessage answer;
  do {
    HAL_RETURN_IF_ERROR(channel.ReceiveDaemonMessage(&answer), "waiting for hald at ", endpoint);
  } while (answer.request_id() == 0);
  if (answer.request_id() != id) {
    return absl::UnavailableError(absl::StrCat("hald at ", endpoint, " answered request ",
                                               answer.request_id(), " instead of ", id));
  }
  if (answer.has_status() && answer.status().code() != 0) {
    const absl::Status refusal = FromWire(answer.status());
    return absl::Status(refusal.code(),
                        absl::StrCat("hald at ", endpoint, " refused: ", refusal.message()));
  }
  return answer;
}

}  // namespace

absl::StatusOr<DaemonClient> DaemonClient::Connect(const Endpoint& endpoint,
                                                   const std::string& token,
                                                   const std::string& client,
                                                   absl::Duration timeout) {
  const std::string where = endpoint.ToString();
  // Endpoint's Connect makes its sockets close-on-exec.
  HAL_ASSIGN_OR_RETURN(UniqueFd socket, remote::Connect(endpoint, timeout));
  auto channel = std::make_unique<Channel>(std::move(socket));
  channel->SetReceiveTimeout(timeout);

  ClientMessage hello;
  hello.set_request_id(1);
  hello.mutable_hello()->set_protocol_major(kProtocolMajor);
  hello.mutable_hello()->set_protocol_minor(kProtocolMinor);
  hello.mutable_hello()->set_client(client);
  hello.mutable_hello()->set_token(token);
  HAL_RETURN_IF_ERROR(channel->Send(hello), "saying Hello to hald at ", where);
  HAL_ASSIGN_OR_RETURN(DaemonMessage welcome, Answer(*channel, 1, where));
  if (!welcome.has_welcome()) {
    return absl::InvalidArgumentError(
        absl::StrCat("hald at ", where, " answered Hello without Welcome"));
  }
  DaemonClient connected(std::move(channel), where, welcome.welcome().session());
  connected.next_request_id_ = 2;
  return connected;
}

DaemonClient::DaemonClient(std::unique_ptr<Channel> channel, std::string endpoint,
                           uint64_t session)
    : channel_(std::move(channel)), endpoint_(std::move(endpoint)), session_(session) {}
DaemonClient::DaemonClient(DaemonClient&&) noexcept = default;
DaemonClient& DaemonClient::operator=(DaemonClient&&) noexcept = default;
DaemonClient::~DaemonClient() = default;

absl::StatusOr<DaemonMessage> DaemonClient::Call(ClientMessage request) {
  const uint64_t id = next_request_id_++;
  request.set_request_id(id);
  HAL_RETURN_IF_ERROR(channel_->Send(request), "sending a request to hald at ", endpoint_);
  return Answer(*channel_, id, endpoint_);
}

}  // namespace hal::remote
