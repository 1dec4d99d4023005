#include "daemon/blocking_waiter.h"

#include <atomic>
#include <future>
#include <thread>

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

TEST(BlockingWaiterTest, TryRunRunsAJobNowOrRefusesIt) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> second_ran;
  {
    BlockingWaiter waiter(2);
    ASSERT_TRUE(waiter.TryRun([released] { released.wait(); }));
    ASSERT_TRUE(waiter.TryRun([&second_ran] { second_ran.set_value(); }));
    second_ran.get_future().wait();
    // One thread waits, the other turns idle once its job returned: a third
    // job gets it (refused only until that thread is back).
    std::promise<void> third_ran;
    while (!waiter.TryRun([released, &third_ran] {
      third_ran.set_value();
      released.wait();
    })) {
      std::this_thread::yield();
    }
    third_ran.get_future().wait();
    // Both threads wait and the limit is reached: refused, not queued.
    EXPECT_FALSE(waiter.TryRun([] { ADD_FAILURE() << "a refused job ran"; }));
    release.set_value();
  }
}

}  // namespace
}  // namespace hal::daemon
