#include "daemon/blocking_waiter.h"

#include <atomic>
#include <future>

#include "gtest/gtest.h"

namespace hal::daemon {
namespace {

TEST(BlockingWaiterTest, AJobWaitingDoesNotHoldUpAnother) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> second_ran;
  {
    BlockingWaiter waiter(4);
    waiter.Run([released] { released.wait(); });
    waiter.Run([&second_ran] { second_ran.set_value(); });
    second_ran.get_future().wait();  // while the first still waits
    release.set_value();
  }
}

TEST(BlockingWaiterTest, DestructionRunsEveryJobGiven) {
  std::atomic<int> ran{0};
  {
    BlockingWaiter waiter(1);
    for (int i = 0; i < 20; ++i) waiter.Run([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 20);
}

}  // namespace
}  // namespace hal::daemon
