// One request-and-answer connection to hald, for programs that ask it
// something and wait (hal-info --pool, the Slurm and Kubernetes integrations'
// admin requests). Not the remote driver's session, which pipelines one-way
// commands and reads asynchronous messages on its own thread.
#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_DAEMON_CLIENT_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_DAEMON_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"

namespace hal::remote {

class DaemonClient {
 public:
  // Connects (close-on-exec, so a forked-and-exec'd child does not keep the
  // connection open), says Hello with `token` and `client` (free form, as
  // hal-info --pool shows the session) and waits for Welcome. Every receive
  // waits at most `timeout`: a daemon that accepts but never answers does
  // not hang the caller. Nothing listening, a closed connection, the timeout
  // or a peer that speaks something else: Unavailable, DeadlineExceeded or
  // InvalidArgument naming the endpoint. A refusal: the daemon's own status
  // code (PermissionDenied, FailedPrecondition for another protocol major),
  // message "hald at <endpoint> refused: <why>".
  static absl::StatusOr<DaemonClient> Connect(const Endpoint& endpoint, const std::string& token,
                                              const std::string& client, absl::Duration timeout);

  DaemonClient(DaemonClient&&) noexcept;
  DaemonClient& operator=(DaemonClient&&) noexcept;
  ~DaemonClient();

  // Sends `request` with the next request id (overwriting request_id) and
  // returns the daemon's answer to it, skipping asynchronous messages
  // (request id 0). Errors as Connect's; an answer to another request is
  // Unavailable (the connection is out of step).
  absl::StatusOr<DaemonMessage> Call(ClientMessage request);

  // The session id Welcome gave (hal-info --pool shows it).
  uint64_t session() const { return session_; }
  // "unix:/run/hal/hald.sock", for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  DaemonClient(std::unique_ptr<Channel> channel, std::string endpoint, uint64_t session);

  std::unique_ptr<Channel> channel_;
  std::string endpoint_;
  uint64_t session_ = 0;
  uint64_t next_request_id_ = 1;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_DAEMON_CLIENT_H_
