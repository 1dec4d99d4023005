#include "backends/remote/protocol/brief_poll.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace hal::remote {
namespace {

TEST(BriefPollTest, ReturnsTrueAtOnceWhenAlreadyDone) {
  int calls = 0;
  EXPECT_TRUE(PollBriefly(
      [&] {
        ++calls;
        return true;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(calls, 1);
}

TEST(BriefPollTest, ReturnsTrueWhenDoneBecomesTrueWithinTheBudget) {
  int calls = 0;
  EXPECT_TRUE(PollBriefly([&] { return ++calls == 3; }, std::chrono::seconds(10)));
  EXPECT_EQ(calls, 3);
}

TEST(BriefPollTest, SeesAnotherThreadFinishWithinTheBudget) {
  std::atomic<bool> finished{false};
  std::thread finisher([&] { finished.store(true); });
  // Generous: the poll yields, so the finisher runs even on one core.
  EXPECT_TRUE(PollBriefly([&] { return finished.load(); }, std::chrono::seconds(10)));
  finisher.join();
}

TEST(BriefPollTest, GivesUpOnceTheBudgetHasPassed) {
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(PollBriefly(
      [&] {
        ++calls;
        return false;
      },
      std::chrono::microseconds(200)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::microseconds(200));
  EXPECT_GE(calls, 1);
}

TEST(BriefPollTest, CallsDoneOnceWithAZeroBudget) {
  int calls = 0;
  EXPECT_FALSE(PollBriefly(
      [&] {
        ++calls;
        return false;
      },
      std::chrono::nanoseconds(0)));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace hal::remote
