// Test-only: the daemon's end of remote-driver connections, so the driver's
// connection, batching and shared-memory handling are tested without hald.
// A FakePeer is one connection driven step by step by a test; a FakeDaemon
// listens on a temporary Unix socket and serves each connection it accepts
// with a test's function on a thread of its own.
#ifndef HAL_BACKENDS_REMOTE_FAKE_DAEMON_H_
#define HAL_BACKENDS_REMOTE_FAKE_DAEMON_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/unique_fd.h"
#include "backends/remote/protocol/wire_version.h"

namespace hal::remote::testing {

// Welcome for session `session`, as hald speaking protocol 1.`minor` sends it.
DaemonMessage WelcomeMessage(uint64_t session, uint32_t minor = kProtocolMinor);
// An answer to `request` with `code` and `message` as its status.
DaemonMessage ErrorAnswer(const ClientMessage& request, absl::StatusCode code,
                          const std::string& message);

class FakePeer {
 public:
  explicit FakePeer(UniqueFd socket) : channel_(std::move(socket)) {}

  // The next message; a failed receive is returned as the status.
  absl::Status Receive(ClientMessage* message, UniqueFd* fd = nullptr) {
    return channel_.ReceiveClientMessage(message, fd);
  }
  // The next message, whose receipt the test expects (an empty one after a
  // failure the test reports).
  ClientMessage Next(UniqueFd* fd = nullptr);
  void Send(const DaemonMessage& message);
  // Sends `answer` as the answer to `request`.
  void Answer(const ClientMessage& request, DaemonMessage answer);
  // Ends the connection as a dying daemon's would end.
  void Close() { channel_.Shutdown(); }

 private:
  Channel channel_;
};

// A connected socketpair: the client's end, and the daemon's as a FakePeer.
std::pair<UniqueFd, std::unique_ptr<FakePeer>> ConnectedPair();

class FakeDaemon {
 public:
  using Serve = std::function<void(FakePeer&)>;

  // Listens on a fresh socket in a temporary folder.
  explicit FakeDaemon(Serve serve);
  // Stops accepting, ends every connection and joins their threads.
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  // "unix:/tmp/.../hald.sock".
  const std::string& endpoint() const { return endpoint_; }
  // Connections accepted so far.
  int connections() const;
  // Ends every open connection now, as a daemon that dies would.
  void CloseConnections();

 private:
  void AcceptLoop();

  Serve serve_;
  std::string folder_;
  std::string endpoint_;
  UniqueFd listener_;
  int wake_pipe_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<FakePeer>> peers_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// A Serve that says Welcome and answers ListDevices with `devices` (the
// given names, each a CPU-like device), Attach, ShmAttach, MemoryInfo and
// the object-creating requests with success, until the connection ends.
// It speaks protocol 1.`minor`, and reads what a hald of that version reads:
// its fake kernel adds the dispatch's number of workgroups to every byte of
// each binding from the binding's offset on, counting the grid in the form
// that version knows (none, so adding 0, from a form it does not).
FakeDaemon::Serve ServeDevices(std::vector<std::string> devices,
                               uint32_t minor = kProtocolMinor);

}  // namespace hal::remote::testing

#endif  // HAL_BACKENDS_REMOTE_FAKE_DAEMON_H_
