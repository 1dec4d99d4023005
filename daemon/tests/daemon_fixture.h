// An in-process hald for the daemon's tests: a runtime of the CPU driver, a
// pool file written to a temporary folder, the server listening on a Unix
// socket there and on TCP loopback (port 0), run on a thread. TestClient
// speaks the remote protocol through a Channel, as the remote driver does.
#ifndef HAL_DAEMON_TESTS_DAEMON_FIXTURE_H_
#define HAL_DAEMON_TESTS_DAEMON_FIXTURE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"
#include "daemon/server.h"
#include "gtest/gtest.h"
#include "hal/runtime.h"
#include "hal/virtual_device.h"
#include "hal_remote.pb.h"

namespace hal::daemon::testing {

using remote::v1::ClientMessage;
using remote::v1::DaemonMessage;

// SHA-256 of "secret", the token kDefaultPoolFile grants virtual device "a".
inline constexpr char kSecretDigest[] =
    "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

// Two virtual devices on cpu:0: "a" (64 MiB, native kernels allowed, TCP
// peers with token "secret" may attach) and "b" (16 MiB).
std::string DefaultPoolFile();

// A fresh temporary folder, removed with its contents on destruction.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// The CPU driver of the build tree only (no remote devices).
std::unique_ptr<Runtime> CpuRuntime();

class TestClient {
 public:
  static absl::StatusOr<std::unique_ptr<TestClient>> Connect(const remote::Endpoint& endpoint);

  // Hello with this protocol version; the Welcome (or refusal) answer.
  absl::StatusOr<DaemonMessage> Hello(const std::string& token = "", uint32_t major = 0);
  // Sends `message` with a fresh request id (and `fd`); returns its answer,
  // keeping the asynchronous messages that arrive before it.
  absl::StatusOr<DaemonMessage> Request(ClientMessage message, int fd = -1);
  // The answer's status (absl::Status from the wire), or the transport error.
  absl::Status Call(ClientMessage message, int fd = -1);
  absl::Status SendOneWay(ClientMessage message);
  // The next asynchronous message (kept ones first).
  absl::StatusOr<DaemonMessage> NextAsync();
  std::deque<DaemonMessage>& async() { return async_; }
  remote::Channel& channel() { return *channel_; }

  // Hello + Attach to `virtual_device`.
  absl::Status Open(const std::string& virtual_device, const std::string& token = "");

 private:
  explicit TestClient(std::unique_ptr<remote::Channel> channel) : channel_(std::move(channel)) {}
  std::unique_ptr<remote::Channel> channel_;
  uint64_t next_request_ = 1;
  std::deque<DaemonMessage> async_;
};

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Starts the server on `pool_file` contents, with `limits`.
  void StartServer(const std::string& pool_file, const SessionLimits& limits = {});

  const remote::Endpoint& unix_endpoint() const { return server_->endpoints()[0]; }
  const remote::Endpoint& tcp_endpoint() const { return server_->endpoints()[1]; }
  std::unique_ptr<TestClient> Client(const remote::Endpoint& endpoint);
  // A client over the Unix socket, attached to `virtual_device`.
  std::unique_ptr<TestClient> Attached(const std::string& virtual_device = "a");
  std::shared_ptr<VirtualDevice> FindVirtualDevice(const std::string& name) {
    return server_->context().FindVirtualDevice(name);
  }
  // Waits (up to 10 s) until no session is registered.
  bool WaitForNoSessions();

  TempFolder folder_;
  std::string pool_path_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
};

// Message builders.
ClientMessage ListDevicesMessage();
ClientMessage AttachMessage(const std::string& virtual_device);
ClientMessage AllocateMessage(uint64_t buffer, uint64_t size);
ClientMessage StreamCreateMessage(uint64_t stream);
ClientMessage FillMessage(uint64_t stream, uint64_t buffer, uint64_t size, uint32_t pattern);
ClientMessage SynchronizeMessage(uint64_t stream);
ClientMessage DownloadMessage(uint64_t stream, uint64_t buffer, uint64_t size, uint64_t download);

}  // namespace hal::daemon::testing

#endif  // HAL_DAEMON_TESTS_DAEMON_FIXTURE_H_
