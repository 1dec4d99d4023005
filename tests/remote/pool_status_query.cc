#include "tests/remote/pool_status_query.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "hal_remote.pb.h"
#include "tests/remote/remote_pool.h"

namespace hal::testing {
namespace {

// Sends `request` and receives its answer, the daemon's error as a status.
absl::StatusOr<remote::DaemonMessage> Ask(remote::Channel& channel, remote::ClientMessage& request,
                                          uint64_t id) {
  request.set_request_id(id);
  if (absl::Status sent = channel.Send(request); !sent.ok()) return sent;
  remote::DaemonMessage answer;
  if (absl::Status received = channel.ReceiveDaemonMessage(&answer); !received.ok()) {
    return received;
  }
  if (answer.request_id() != id) {
    return absl::InternalError(
        absl::StrCat("hald answered request ", answer.request_id(), " instead of ", id));
  }
  if (answer.has_status() && answer.status().code() != 0) {
    return remote::FromWire(answer.status());
  }
  return answer;
}

}  // namespace

absl::StatusOr<remote::v1::PoolStatus> QueryPoolStatus(const std::string& endpoint) {
  auto parsed = remote::ParseEndpoint(endpoint);
  if (!parsed.ok()) return parsed.status();
  auto socket = remote::Connect(*parsed, absl::Seconds(5));
  if (!socket.ok()) return socket.status();
  remote::Channel channel(*std::move(socket));
  remote::ClientMessage hello;
  hello.mutable_hello()->set_protocol_major(remote::kProtocolMajor);
  hello.mutable_hello()->set_protocol_minor(remote::kProtocolMinor);
  hello.mutable_hello()->set_client("hal remote tests");
  hello.mutable_hello()->set_token(kRemoteTestToken);
  if (auto welcome = Ask(channel, hello, 1); !welcome.ok()) return welcome.status();
  remote::ClientMessage request;
  request.mutable_pool_status();
  auto answer = Ask(channel, request, 2);
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
