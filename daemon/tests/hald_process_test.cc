// hald as an operator runs it: a child process on a pool file, its
// "listening on" lines, SIGHUP reloading the pool file, SIGTERM closing every
// session and exiting 0, and its refusals at startup.
#include "tests/remote/hald_process.h"

#include <signal.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/status_codec.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "tests/subprocess.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

const std::string kHald = std::string(HAL_TEST_BINARY_DIR) + "/bin/hald";

// hald as the tests of tests/remote start it, on cpu:0 alone.
absl::StatusOr<std::unique_ptr<hal::testing::HaldProcess>> StartHald(
    const std::string& pool_json, bool listen_tcp, std::vector<std::string> arguments = {}) {
  hal::testing::HaldProcess::Options options;
  options.hald = kHald;
  options.pool_json = pool_json;
  options.listen_tcp = listen_tcp;
  options.extra_arguments = std::move(arguments);
  options.environment = {{"HAL_DEVICE_SELECTOR", "cpu:*"}};
  return hal::testing::HaldProcess::Start(options);
}

constexpr char kPoolWithA[] = R"({"pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.5}]})";
constexpr char kPoolWithB[] = R"({"pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.5}, {"name": "b", "memory_quota": "1MiB", "compute_share": 0.5}]})";

std::vector<std::string> ListedNames(TestClient& client) {
  absl::StatusOr<DaemonMessage> answer = client.Request(ListDevicesMessage());
  std::vector<std::string> names;
  if (!answer.ok()) return names;
  for (const auto& device : answer->device_list().devices())
    names.push_back(device.virtual_device());
  return names;
}

class HaldProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kHald.c_str(), X_OK) != 0) GTEST_SKIP() << kHald << " was not built";
    ASSERT_FALSE(folder_.path().empty());
    pool_ = folder_.Write("pool.json", kPoolWithA);
    socket_ = folder_.path() + "/hald.sock";
  }
  // hald refuses `flag lots` with exit status 1 and a message naming it.
  void ExpectRefusesANonNumber(const std::string& flag) {
    hal::testing::CommandResult words = hal::testing::RunCommand(
        kHald + " --pool " + pool_ + " --listen unix:" + socket_ + " " + flag + " lots");
    EXPECT_EQ(words.exit_code, 1);
    EXPECT_THAT(words.output, HasSubstr(flag));
  }

  // Starts hald with `arguments`, attaches a session with 64 KiB of shared
  // memory to "a", and expects `log` in hald's output.
  void ExpectSharedMemoryLogs(std::vector<std::string> arguments, const std::string& log) {
    absl::StatusOr<std::unique_ptr<hal::testing::HaldProcess>> hald =
        StartHald(kPoolWithA, false, std::move(arguments));
    ASSERT_TRUE(hald.ok()) << hald.status();
    absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint((*hald)->unix_endpoint());
    ASSERT_TRUE(endpoint.ok());
    absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(*endpoint);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)->Open("a").ok());
    absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(1 << 16, "test");
    ASSERT_TRUE(shm.ok()) << shm.status();
    ClientMessage attach_shm;
    attach_shm.mutable_shm_attach()->set_size(1 << 16);
    ASSERT_TRUE((*client)->Call(attach_shm, shm->fd()).ok());
    EXPECT_TRUE((*hald)->WaitForLog(log).ok()) << (*hald)->LogTail();
  }

  TempFolder folder_;
  std::string pool_;
  std::string socket_;
};

TEST_F(HaldProcessTest, ServesUntilSigtermThenClosesEverySessionAndExitsZero) {
  absl::StatusOr<std::unique_ptr<hal::testing::HaldProcess>> hald = StartHald(kPoolWithA, true);
  ASSERT_TRUE(hald.ok()) << hald.status();
  EXPECT_THAT((*hald)->tcp_endpoint(), ::testing::Not(::testing::EndsWith(":0")))
      << "the real port, not 0";
  absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint((*hald)->unix_endpoint());
  ASSERT_TRUE(endpoint.ok());
  absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(*endpoint);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Open("a").ok());
  ASSERT_TRUE((*client)->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE((*hald)->WaitForLog("opened by unix pid").ok());
  const std::string socket = endpoint->path;
  EXPECT_TRUE((*hald)->StopCleanly().ok());
  DaemonMessage next;
  EXPECT_EQ((*client)->channel().ReceiveDaemonMessage(&next).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_NE(access(socket.c_str(), F_OK), 0) << "the socket file is removed";
}

TEST_F(HaldProcessTest, SighupAddsTheVirtualDevicesThePoolFileGained) {
  absl::StatusOr<std::unique_ptr<hal::testing::HaldProcess>> hald = StartHald(kPoolWithA, false);
  ASSERT_TRUE(hald.ok()) << hald.status();
  absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint((*hald)->unix_endpoint());
  ASSERT_TRUE(endpoint.ok());
  absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(*endpoint);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Hello().ok());
  EXPECT_THAT(ListedNames(**client), ::testing::ElementsAre("a"));
  ASSERT_TRUE((*hald)->RewritePool(kPoolWithB).ok());
  ASSERT_TRUE((*hald)->Signal(SIGHUP).ok());
  ASSERT_TRUE((*hald)->WaitForLog("virtual device b added").ok());
  EXPECT_THAT(ListedNames(**client), ::testing::ElementsAre("a", "b"))
      << "a session open across the reload sees it";
  ASSERT_TRUE((*hald)->Signal(SIGINT).ok());
  absl::StatusOr<hal::testing::ExitStatus> stopped = (*hald)->Wait();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(stopped->exited && stopped->code == 0) << stopped->ToString();
}

TEST_F(HaldProcessTest, RefusesABadPoolFileOrEndpoint) {
  hal::testing::CommandResult missing =
      hal::testing::RunCommand(kHald + " --pool /nonexistent.json --listen unix:" + socket_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("/nonexistent.json"));
  hal::testing::CommandResult endpoint =
      hal::testing::RunCommand(kHald + " --pool " + pool_ + " --listen nowhere");
  EXPECT_EQ(endpoint.exit_code, 1);
  EXPECT_THAT(endpoint.output, HasSubstr("nowhere"));
  EXPECT_EQ(hal::testing::RunCommand(kHald + " --pool " + pool_).exit_code, 1);
  hal::testing::CommandResult version = hal::testing::RunCommand(kHald + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.output, HasSubstr("hald "));
}

TEST_F(HaldProcessTest, RegisteredShmBytesBoundsWhatSessionsRegister) {
  ExpectRefusesANonNumber("--registered-shm-bytes");
  ExpectSharedMemoryLogs({"--registered-shm-bytes", "0"}, "of the 0 bytes hald may register");
}

TEST_F(HaldProcessTest, RegisteredShmBytesPerSessionBoundsWhatOneSessionRegisters) {
  ExpectRefusesANonNumber("--registered-shm-bytes-per-session");
  ExpectSharedMemoryLogs({"--registered-shm-bytes-per-session", "0"},
                         "registers 0 of its 65536 bytes of shared memory");
}

}  // namespace
}  // namespace hal::daemon::testing
