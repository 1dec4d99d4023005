// Thousands of connections opened and dropped at every stage (before a byte,
// mid-header, after Hello, after allocating, reset instead of closed), and
// hundreds held open at once: the daemon keeps serving, and once they are
// gone it holds no more file descriptors or threads than before.
#include <sys/socket.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using ConnectionFloodTest = HostileDaemonTest;

size_t EntriesIn(const std::string& folder) {
  std::error_code error;
  size_t count = 0;
  for (auto it = std::filesystem::directory_iterator(folder, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

// The daemon's open file descriptors and threads.
struct Resources {
  size_t fds = 0;
  size_t threads = 0;
};

Resources DaemonResources(pid_t pid) {
  const std::string proc = absl::StrCat("/proc/", pid);
  return {EntriesIn(proc + "/fd"), EntriesIn(proc + "/task")};
}

// Waits (sessions end asynchronously) until the daemon is back to `baseline`.
void ExpectBackTo(const Resources& baseline, pid_t pid) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  Resources now = DaemonResources(pid);
  while ((now.fds > baseline.fds || now.threads > baseline.threads) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    now = DaemonResources(pid);
  }
  EXPECT_LE(now.fds, baseline.fds) << "hald kept file descriptors of closed sessions";
  EXPECT_LE(now.threads, baseline.threads) << "hald kept threads of closed sessions";
}

// Closes with a reset (SO_LINGER 0) instead of an orderly shutdown.
void Reset(remote::UniqueFd fd) {
  const linger abort{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
}

TEST_F(ConnectionFloodTest, ThousandsOfConnectionsOpenedAndDropped) {
  const Resources baseline = DaemonResources(daemon_pid());
  constexpr int kConnections = 2000;
  for (int i = 0; i < kConnections; ++i) {
    SCOPED_TRACE(i);
    switch (i % 5) {
      case 0: {  // nothing sent
        ASSERT_TRUE(ConnectRaw(endpoint()).ok());
        break;
      }
      case 1: {  // half a header, then a reset
        absl::StatusOr<remote::UniqueFd> fd = ConnectRaw(endpoint());
        ASSERT_TRUE(fd.ok()) << fd.status();
        ASSERT_TRUE(WriteAll(fd->get(), std::string("\x20\x00", 2)).ok());
        Reset(*std::move(fd));
        break;
      }
      case 2:
      case 3: {  // after Hello
        std::unique_ptr<RawSession> session = Connect(endpoint());
        ASSERT_NE(session, nullptr);
        ASSERT_TRUE(session->Hello(remote::kProtocolMajor).ok());
        break;
      }
      case 4: {  // attached, work queued and a wait pending that no one reads
        if (i % 25 != 4) {
          ASSERT_TRUE(ConnectRaw(endpoint()).ok());
          break;
        }
        std::unique_ptr<RawSession> session = OpenTenant(i % 2 ? kDeviceA : kDeviceB);
        ASSERT_NE(session, nullptr);
        ASSERT_TRUE(session->Upload(1, 1, 0, Pattern(4096, i)).ok());
        remote::v1::ClientMessage wait;
        wait.set_request_id(1000);
        wait.mutable_stream_synchronize()->set_stream(1);
        ASSERT_TRUE(session->Send(wait).ok());
        break;
      }
    }
  }
  ExpectBackTo(baseline, daemon_pid());
}

TEST_F(ConnectionFloodTest, HundredsOfSessionsHeldAtOnceThenDropped) {
  const Resources baseline = DaemonResources(daemon_pid());
  std::vector<std::unique_ptr<RawSession>> held;
  for (int i = 0; i < 256; ++i) {
    std::unique_ptr<RawSession> session = Connect(endpoint());
    ASSERT_NE(session, nullptr);
    ASSERT_TRUE(session->Hello(remote::kProtocolMajor).ok());
    held.push_back(std::move(session));
  }
  // While they are held, a tenant is served.
  std::unique_ptr<RawSession> tenant = OpenTenant(kDeviceB);
  ASSERT_NE(tenant, nullptr);
  const absl::Status served = tenant->RoundTrip(Pattern(4096, 9));
  EXPECT_TRUE(served.ok()) << served;
  tenant.reset();
  held.clear();
  ExpectBackTo(baseline, daemon_pid());
}

}  // namespace
}  // namespace hal::testing
