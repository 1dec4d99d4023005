// hald as an operator runs it: a child process on a pool file, its
// "listening on" lines, SIGHUP reloading the pool file, SIGTERM closing every
// session and exiting 0, and its refusals at startup.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backends/remote/protocol/status_codec.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "tests/subprocess.h"

extern char** environ;

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

const std::string kHald = std::string(HAL_TEST_BINARY_DIR) + "/bin/hald";

// hald started with its stderr on a pipe the test reads.
class HaldProcess {
 public:
  ~HaldProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stderr_ >= 0) close(stderr_);
  }

  bool Start(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    std::vector<std::string> argv_strings = {kHald};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = {"HAL_DEVICE_SELECTOR=cpu:*"};
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (!absl::StartsWith(*entry, "HAL_DEVICE_SELECTOR=")) env_strings.push_back(*entry);
    }
    std::vector<char*> env;
    for (std::string& entry : env_strings) env.push_back(entry.data());
    env.push_back(nullptr);
    const int error = posix_spawn(&pid_, kHald.c_str(), &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    stderr_ = pipe_fds[0];
    return error == 0;
  }

  // Reads stderr until a line containing `text` (true) or EOF / 20 s (false).
  bool WaitForLine(absl::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      for (absl::string_view line : absl::StrSplit(output_.substr(scanned_), '\n')) {
        if (absl::StrContains(line, text)) {
          scanned_ = output_.find(std::string(line), scanned_) + line.size();
          return true;
        }
      }
      pollfd fd{stderr_, POLLIN, 0};
      if (poll(&fd, 1, 100) <= 0) continue;
      char chunk[4096];
      const ssize_t n = read(stderr_, chunk, sizeof(chunk));
      if (n <= 0) return false;
      output_.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }

  // Signals it and returns its exit status (-1 unless it exited).
  int StopWith(int signal_number) {
    kill(pid_, signal_number);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stderr_ = -1;
  std::string output_;
  size_t scanned_ = 0;
};

constexpr char kPoolWithB[] = R"({"pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.5}, {"name": "b", "memory_quota": "1MiB", "compute_share": 0.5}]})";

std::vector<std::string> ListedNames(TestClient& client) {
  absl::StatusOr<DaemonMessage> answer = client.Request(ListDevicesMessage());
  std::vector<std::string> names;
  if (!answer.ok()) return names;
  for (const auto& device : answer->device_list().devices()) names.push_back(device.virtual_device());
  return names;
}

class HaldProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kHald.c_str(), X_OK) != 0) GTEST_SKIP() << kHald << " was not built";
    ASSERT_FALSE(folder_.path().empty());
    pool_ = folder_.Write("pool.json", R"({"pool": {"devices": ["cpu:0"]},
      "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.5}]})");
    socket_ = folder_.path() + "/hald.sock";
  }
  TempFolder folder_;
  std::string pool_;
  std::string socket_;
};

TEST_F(HaldProcessTest, ServesUntilSigtermThenClosesEverySessionAndExitsZero) {
  HaldProcess hald;
  ASSERT_TRUE(hald.Start({"--pool", pool_, "--listen", "unix:" + socket_, "--listen",
                          "tcp://127.0.0.1:0"}));
  ASSERT_TRUE(hald.WaitForLine("hald: listening on unix:" + socket_)) << hald.output();
  ASSERT_TRUE(hald.WaitForLine("hald: listening on tcp://127.0.0.1:")) << hald.output();
  EXPECT_THAT(hald.output(), ::testing::Not(HasSubstr("tcp://127.0.0.1:0\n")))
      << "the real port, not 0";
  absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint("unix:" + socket_);
  ASSERT_TRUE(endpoint.ok());
  absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(*endpoint);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Open("a").ok());
  ASSERT_TRUE((*client)->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(hald.WaitForLine("opened by unix pid")) << hald.output();
  EXPECT_EQ(hald.StopWith(SIGTERM), 0) << hald.output();
  DaemonMessage next;
  EXPECT_EQ((*client)->channel().ReceiveDaemonMessage(&next).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_NE(access(socket_.c_str(), F_OK), 0) << "the socket file is removed";
}

TEST_F(HaldProcessTest, SighupAddsTheVirtualDevicesThePoolFileGained) {
  HaldProcess hald;
  ASSERT_TRUE(hald.Start({"--pool", pool_, "--listen", "unix:" + socket_}));
  ASSERT_TRUE(hald.WaitForLine("hald: listening on")) << hald.output();
  absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint("unix:" + socket_);
  ASSERT_TRUE(endpoint.ok());
  absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(*endpoint);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Hello().ok());
  EXPECT_THAT(ListedNames(**client), ::testing::ElementsAre("a"));
  folder_.Write("pool.json", kPoolWithB);
  kill(hald.pid(), SIGHUP);
  ASSERT_TRUE(hald.WaitForLine("virtual device b added")) << hald.output();
  EXPECT_THAT(ListedNames(**client), ::testing::ElementsAre("a", "b"))
      << "a session open across the reload sees it";
  EXPECT_EQ(hald.StopWith(SIGINT), 0);
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

}  // namespace
}  // namespace hal::daemon::testing
