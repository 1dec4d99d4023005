#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_ENDPOINT_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_ENDPOINT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/unique_fd.h"

namespace hal::remote {

// Where hald listens: a Unix socket (local tenants) or a TCP address (other
// nodes).
struct Endpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;   // kUnix: absolute path of the socket
  std::string host;   // kTcp: name, IPv4 or IPv6 address (without brackets)
  uint16_t port = 0;  // kTcp; 0 only makes sense to listen on
  // "unix:/run/hal/hald.sock", "tcp://host:5555", "tcp://[::1]:5555".
  std::string ToString() const;
};

// Accepts "unix:/abs/path" and "tcp://HOST:PORT" (HOST a name, IPv4, or
// "[v6]"); InvalidArgument naming the text otherwise.
absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text);

// A listening SOCK_STREAM socket (close-on-exec). Unix: a stale socket file
// no one listens on is removed; one someone listens on is FailedPrecondition.
// TCP: SO_REUSEADDR; port 0 picks a free port (see BoundPort).
absl::StatusOr<UniqueFd> Listen(const Endpoint& endpoint);

// The local port a TCP socket is bound to; FailedPrecondition for others.
absl::StatusOr<uint16_t> BoundPort(int fd);

// A connected stream socket (close-on-exec, blocking; TCP_NODELAY on TCP).
// Unavailable when no one listens, the path is absent, or `timeout` passes;
// PermissionDenied when the socket file may not be opened. Errors name the
// endpoint and the errno text.
absl::StatusOr<UniqueFd> Connect(const Endpoint& endpoint, absl::Duration timeout);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_ENDPOINT_H_
