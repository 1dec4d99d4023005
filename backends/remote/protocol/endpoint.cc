#include "backends/remote/protocol/endpoint.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hal::remote {
namespace {

constexpr absl::string_view kUnixScheme = "unix:";
constexpr absl::string_view kTcpScheme = "tcp://";

absl::Status BadEndpoint(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "endpoint \"", text, "\": ", why, " (expected unix:/absolute/path or tcp://HOST:PORT)"));
}

absl::Status ErrnoError(absl::StatusCode code, absl::string_view what, const Endpoint& endpoint,
                        int error) {
  return absl::Status(code,
                      absl::StrCat(what, " ", endpoint.ToString(), ": ", std::strerror(error)));
}

absl::StatusOr<sockaddr_un> UnixAddress(const Endpoint& endpoint) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (endpoint.path.empty() || endpoint.path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("socket path of ", endpoint.ToString(),
                                                   " must be 1 to ", sizeof(address.sun_path) - 1,
                                                   " bytes"));
  }
  std::memcpy(address.sun_path, endpoint.path.data(), endpoint.path.size());
  return address;
}

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

absl::StatusOr<AddrInfoList> Resolve(const Endpoint& endpoint, int flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string port = absl::StrCat(endpoint.port);
  const int error = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &list);
  if (error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", endpoint.ToString(), ": ", gai_strerror(error)));
  }
  return AddrInfoList(list);
}

// Waits for a non-blocking connect to finish; returns its errno (0: done).
int FinishConnect(int fd, absl::Duration timeout) {
  pollfd poll_fd{fd, POLLOUT, 0};
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    const int ready = poll(&poll_fd, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    if (ready > 0) break;
    if (ready == 0) return ETIMEDOUT;
    if (errno != EINTR) return errno;
  }
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

// TCP: connects `fd` (non-blocking) to `address`, then makes it blocking
// again; returns the errno (0: connected).
int ConnectWithTimeout(int fd, const sockaddr* address, socklen_t length, absl::Duration timeout) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return errno;
  int error = 0;
  if (connect(fd, address, length) != 0) {
    error = errno == EINPROGRESS ? FinishConnect(fd, timeout) : errno;
  }
  if (error == 0 && fcntl(fd, F_SETFL, flags) != 0) error = errno;
  return error;
}

// Unix: a non-blocking connect fails at once (EAGAIN) when the listener's
// backlog is full, so connect blocks instead, for at most SO_SNDTIMEO.
int ConnectUnixWithTimeout(int fd, const sockaddr_un& address, absl::Duration timeout) {
  timeval limit = absl::ToTimeval(std::max(timeout, absl::Milliseconds(1)));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)) != 0) return errno;
  int error = 0;
  while (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno == EINTR) continue;
    error = errno;
    break;
  }
  limit = timeval{};
  if (error == 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)) != 0) {
    error = errno;
  }
  return error;
}

// EACCES/EPERM are PermissionDenied; other errors are `otherwise`.
absl::StatusCode ErrorCode(int error, absl::StatusCode otherwise) {
  return error == EACCES || error == EPERM ? absl::StatusCode::kPermissionDenied : otherwise;
}

absl::StatusOr<UniqueFd> ConnectUnix(const Endpoint& endpoint, absl::Duration timeout) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(endpoint);
  if (!address.ok()) return address.status();
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return ErrnoError(absl::StatusCode::kResourceExhausted, "socket for", endpoint, errno);
  }
  const int error = ConnectUnixWithTimeout(fd.get(), *address, timeout);
  if (error != 0)
    return ErrnoError(ErrorCode(error, absl::StatusCode::kUnavailable), "cannot connect to",
                      endpoint, error);
  return fd;
}

// Tries each address `endpoint` resolves to: a socket, then `attempt` on it
// (an errno; 0 keeps the socket). Fails with the last errno, as `code` (or
// PermissionDenied for EACCES/EPERM).
absl::StatusOr<UniqueFd> TryAddresses(
    const Endpoint& endpoint, int flags, absl::string_view what, absl::StatusCode code,
    absl::FunctionRef<int(int fd, const addrinfo& info)> attempt) {
  absl::StatusOr<AddrInfoList> list = Resolve(endpoint, flags);
  if (!list.ok()) return list.status();
  int error = EADDRNOTAVAIL;
  for (const addrinfo* info = list->get(); info != nullptr; info = info->ai_next) {
    UniqueFd fd(socket(info->ai_family, info->ai_socktype | SOCK_CLOEXEC, info->ai_protocol));
    error = fd.valid() ? attempt(fd.get(), *info) : errno;
    if (error == 0) return fd;
  }
  return ErrnoError(ErrorCode(error, code), what, endpoint, error);
}

absl::StatusOr<UniqueFd> ConnectTcp(const Endpoint& endpoint, absl::Duration timeout) {
  return TryAddresses(endpoint, 0, "cannot connect to", absl::StatusCode::kUnavailable,
                      [&](int fd, const addrinfo& info) {
                        const int error =
                            ConnectWithTimeout(fd, info.ai_addr, info.ai_addrlen, timeout);
                        // Requests are small and latency-bound: no Nagle delay.
                        const int one = 1;
                        if (error == 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                        return error;
                      });
}

// Whether someone accepts connections on the Unix socket at `endpoint`.
bool SomeoneListens(const Endpoint& endpoint) {
  return ConnectUnix(endpoint, absl::Seconds(1)).ok();
}

absl::StatusOr<UniqueFd> ListenUnix(const Endpoint& endpoint) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(endpoint);
  if (!address.ok()) return address.status();
  struct stat st {};
  if (lstat(endpoint.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat("cannot listen on ", endpoint.ToString(),
                                                        ": the path exists and is not a "
                                                        "socket"));
    }
    if (SomeoneListens(endpoint)) {
      return absl::FailedPreconditionError(absl::StrCat("cannot listen on ", endpoint.ToString(),
                                                        ": another process listens there"));
    }
    // A stale socket file from a daemon that died: nobody answers there.
    unlink(endpoint.path.c_str());
  }
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return ErrnoError(absl::StatusCode::kResourceExhausted, "socket for", endpoint, errno);
  }
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0) {
    return ErrnoError(ErrorCode(errno, absl::StatusCode::kFailedPrecondition), "cannot bind",
                      endpoint, errno);
  }
  if (listen(fd.get(), SOMAXCONN) != 0) {
    return ErrnoError(absl::StatusCode::kFailedPrecondition, "cannot listen on", endpoint, errno);
  }
  return fd;
}

absl::StatusOr<UniqueFd> ListenTcp(const Endpoint& endpoint) {
  return TryAddresses(
      endpoint, AI_PASSIVE, "cannot listen on", absl::StatusCode::kFailedPrecondition,
      [](int fd, const addrinfo& info) {
        const int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        // Accepted sockets inherit it: the daemon's answers are small and
        // latency-bound too (with Nagle, each waits out the peer's delayed
        // ACK).
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (bind(fd, info.ai_addr, info.ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
          return errno;
        }
        return 0;
      });
}

absl::StatusOr<Endpoint> ParseTcp(absl::string_view text, absl::string_view rest) {
  Endpoint endpoint;
  endpoint.kind = Endpoint::Kind::kTcp;
  absl::string_view port_text;
  if (absl::StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return BadEndpoint(text, "unclosed '[' in the host");
    endpoint.host = std::string(rest.substr(1, close - 1));
    absl::string_view after = rest.substr(close + 1);
    if (!absl::StartsWith(after, ":")) return BadEndpoint(text, "no :PORT after the host");
    port_text = after.substr(1);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == absl::string_view::npos) return BadEndpoint(text, "no :PORT");
    endpoint.host = std::string(rest.substr(0, colon));
    if (absl::StrContains(endpoint.host, ':')) {
      return BadEndpoint(text, "an IPv6 host must be written in brackets");
    }
    port_text = rest.substr(colon + 1);
  }
  if (endpoint.host.empty()) return BadEndpoint(text, "empty host");
  for (char c : endpoint.host) {
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                    c == '_' || c == ':' || c == '%';
    if (!ok) return BadEndpoint(text, "bad character in the host");
  }
  uint32_t port = 0;
  if (port_text.empty() ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return BadEndpoint(text, "the port must be a number from 0 to 65535");
  }
  endpoint.port = static_cast<uint16_t>(port);
  return endpoint;
}

}  // namespace

std::string Endpoint::ToString() const {
  if (kind == Kind::kUnix) return absl::StrCat(kUnixScheme, path);
  if (absl::StrContains(host, ':')) return absl::StrCat(kTcpScheme, "[", host, "]:", port);
  return absl::StrCat(kTcpScheme, host, ":", port);
}

absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text) {
  if (absl::StartsWith(text, kUnixScheme)) {
    Endpoint endpoint;
    endpoint.kind = Endpoint::Kind::kUnix;
    endpoint.path = std::string(text.substr(kUnixScheme.size()));
    if (!absl::StartsWith(endpoint.path, "/")) return BadEndpoint(text, "the path is not absolute");
    if (endpoint.path.size() >= sizeof(sockaddr_un::sun_path)) {
      return BadEndpoint(text, absl::StrCat("the path is longer than ",
                                            sizeof(sockaddr_un::sun_path) - 1, " bytes"));
    }
    if (absl::StrContains(endpoint.path, '\0')) return BadEndpoint(text, "NUL in the path");
    return endpoint;
  }
  if (absl::StartsWith(text, kTcpScheme)) return ParseTcp(text, text.substr(kTcpScheme.size()));
  return BadEndpoint(text, "unknown scheme");
}

absl::StatusOr<UniqueFd> Listen(const Endpoint& endpoint) {
  return endpoint.kind == Endpoint::Kind::kUnix ? ListenUnix(endpoint) : ListenTcp(endpoint);
}

absl::StatusOr<uint16_t> BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("getsockname(", fd, "): ", std::strerror(errno)));
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return absl::FailedPreconditionError(absl::StrCat("socket ", fd, " is not a TCP socket"));
}

absl::StatusOr<UniqueFd> Connect(const Endpoint& endpoint, absl::Duration timeout) {
  return endpoint.kind == Endpoint::Kind::kUnix ? ConnectUnix(endpoint, timeout)
                                                : ConnectTcp(endpoint, timeout);
}

}  // namespace hal::remote
