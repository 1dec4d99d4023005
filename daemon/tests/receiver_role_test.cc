#include "daemon/receiver_role.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "backends/remote/protocol/unique_fd.h"

#include "daemon/blocking_waiter.h"
#include "gtest/gtest.h"

namespace hal::daemon {
namespace {

TEST(ReceiverRoleTest, TheFirstTakerHoldsTheFreeRole) {
  ReceiverRole role([] { return false; }, [] {}, -1);
  EXPECT_FALSE(role.HoldsRole());
  ASSERT_TRUE(role.Acquire());
  EXPECT_TRUE(role.HoldsRole());
}

TEST(ReceiverRoleTest, WithoutAHelperTheReceiverKeepsTheRole) {
  ReceiverRole role([] { return false; }, [] {}, -1);
  ASSERT_TRUE(role.Acquire());
  EXPECT_FALSE(role.HandOff());
  EXPECT_TRUE(role.HoldsRole());
}

TEST(ReceiverRoleTest, AHandOffStartsAHelperThatTakesTheRole) {
  BlockingWaiter pool(2);
  std::promise<bool> helper_held;
  ReceiverRole* role_seen = nullptr;
  ReceiverRole role(
      [&] {
        return pool.TryRun([&] {
          const bool took = role_seen->AcquireAsHelper();
          helper_held.set_value(took && role_seen->HoldsRole());
        });
      },
      [] {}, -1);
  role_seen = &role;
  ASSERT_TRUE(role.Acquire());
  ASSERT_TRUE(role.HandOff());
  EXPECT_FALSE(role.HoldsRole());
  EXPECT_TRUE(helper_held.get_future().get());
  role.End(absl::OkStatus());  // the helper's turn ends; the pool joins it
}

// Whether thread `tid` of this process sleeps (state S in its stat line).
bool Sleeps(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // The state follows the command name, which ends with the last ')'.
  const size_t name_end = line.rfind(')');
  return name_end != std::string::npos && line.size() > name_end + 2 &&
         line[name_end + 2] == 'S';
}

TEST(ReceiverRoleTest, AHandOffGoesToAWaitingTakerWithoutAHelper) {
  std::atomic<int> helpers_started{0};
  ReceiverRole role(
      [&] {
        helpers_started.fetch_add(1);
        return false;
      },
      [] {}, -1);
  ASSERT_TRUE(role.Acquire());
  std::atomic<pid_t> taker_tid{0};
  std::promise<void> took;
  std::thread taker([&] {
    taker_tid.store(gettid());
    if (role.Acquire()) took.set_value();
  });
  // The hand-off must find the taker waiting: once its thread sleeps, it
  // sleeps in Acquire (this thread holds none of the role's locks). A taker
  // that arrived during a hand-off that tried a helper could take the role
  // there too (HandOff then succeeds after starting a helper), which is not
  // the case under test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((taker_tid.load() == 0 || !Sleeps(taker_tid.load())) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(Sleeps(taker_tid.load())) << "the taker never waited";
  EXPECT_TRUE(role.HandOff());
  took.get_future().wait();
  taker.join();
  EXPECT_FALSE(role.HoldsRole());
  EXPECT_EQ(helpers_started.load(), 0) << "the waiting taker took the role, no helper";
}

TEST(ReceiverRoleTest, EndReleasesEveryTakerWithItsStatus) {
  ReceiverRole role([] { return false; }, [] {}, -1);
  ASSERT_TRUE(role.Acquire());
  std::promise<bool> waiter_result;
  std::thread waiter([&] { waiter_result.set_value(role.Acquire()); });
  role.End(absl::UnavailableError("connection closed by peer"));
  role.End(absl::InternalError("a later end is ignored"));
  EXPECT_FALSE(waiter_result.get_future().get());
  waiter.join();
  EXPECT_FALSE(role.Acquire());
  EXPECT_EQ(role.end_status().code(), absl::StatusCode::kUnavailable);
}

TEST(ReceiverRoleTest, WithoutASocketThereIsNoInlineWait) {
  ReceiverRole role([] { return false; }, [] {}, -1);
  ASSERT_TRUE(role.Acquire());
  EXPECT_FALSE(role.BeginInlineWait());
  EXPECT_TRUE(role.HoldsRole());
}

// A connected socket pair: the role watches [0], the test writes to [1].
struct SocketPair {
  SocketPair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) {
      watched.reset(fds[0]);
      peer.reset(fds[1]);
    }
  }
  remote::UniqueFd watched;
  remote::UniqueFd peer;
};

TEST(ReceiverRoleTest, AnInlineWaitWithoutAFrameKeepsTheRole) {
  SocketPair sockets;
  ASSERT_GE(sockets.watched.get(), 0);
  std::atomic<int> turns{0};
  ReceiverRole role([] { return false; }, [&] { turns.fetch_add(1); }, sockets.watched.get());
  ASSERT_TRUE(role.Acquire());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(role.BeginInlineWait());
    role.EndInlineWait();
    EXPECT_TRUE(role.HoldsRole());
  }
  role.End(absl::OkStatus());
  role.StopStandby();
  EXPECT_EQ(turns.load(), 0);
}

TEST(ReceiverRoleTest, AFrameDuringAnInlineWaitGoesToTheStandby) {
  SocketPair sockets;
  ASSERT_GE(sockets.watched.get(), 0);
  std::promise<bool> standby_held;
  ReceiverRole* role_seen = nullptr;
  ReceiverRole role(
      [] { return false; },
      [&] {
        const bool held = role_seen->HoldsRole();
        char byte = 0;
        const bool received = read(sockets.watched.get(), &byte, 1) == 1;
        standby_held.set_value(held && received);
        role_seen->End(absl::OkStatus());  // the turn ends as a receive at EOF would
      },
      sockets.watched.get());
  role_seen = &role;
  ASSERT_TRUE(role.Acquire());
  ASSERT_TRUE(role.BeginInlineWait());
  ASSERT_EQ(write(sockets.peer.get(), "x", 1), 1);
  EXPECT_TRUE(standby_held.get_future().get());  // the standby received while this one waits
  role.EndInlineWait();
  EXPECT_FALSE(role.HoldsRole());
  EXPECT_FALSE(role.Acquire());  // ended by the standby's turn
  role.StopStandby();
}

TEST(ReceiverRoleTest, TheStandbyWhileBusyRefusesASecondInlineWait) {
  SocketPair sockets;
  ASSERT_GE(sockets.watched.get(), 0);
  std::promise<void> finish_turn;
  std::shared_future<void> finished = finish_turn.get_future().share();
  ReceiverRole* role_seen = nullptr;
  std::promise<bool> second_wait_refused;
  ReceiverRole role(
      [] { return false; },
      [&] {
        char byte = 0;
        ASSERT_EQ(read(sockets.watched.get(), &byte, 1), 1);
        // The standby holds the role; its own wait cannot be armed.
        second_wait_refused.set_value(!role_seen->BeginInlineWait());
        finished.wait();
        role_seen->End(absl::OkStatus());
      },
      sockets.watched.get());
  role_seen = &role;
  ASSERT_TRUE(role.Acquire());
  ASSERT_TRUE(role.BeginInlineWait());
  ASSERT_EQ(write(sockets.peer.get(), "x", 1), 1);
  EXPECT_TRUE(second_wait_refused.get_future().get());
  role.EndInlineWait();
  finish_turn.set_value();
  EXPECT_FALSE(role.Acquire());
  role.StopStandby();
}

}  // namespace
}  // namespace hal::daemon
