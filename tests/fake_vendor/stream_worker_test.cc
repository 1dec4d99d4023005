#include "tests/fake_vendor/stream_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace hal::fake {
namespace {

TEST(StreamWorkerTest, RunsOperationsInOrderAndWaitsForThem) {
  std::vector<int> order;
  StreamWorker worker;
  for (int i = 0; i < 100; ++i) worker.Enqueue([&order, i] { order.push_back(i); });
  worker.WaitIdle();
  EXPECT_TRUE(worker.Idle());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(StreamWorkerTest, IdleIsFalseWhileAnOperationRuns) {
  std::atomic<bool> release{false};
  StreamWorker worker;
  worker.Enqueue([&] {
    while (!release) std::this_thread::yield();
  });
  EXPECT_FALSE(worker.Idle());
  release = true;
  worker.WaitIdle();
  EXPECT_TRUE(worker.Idle());
}

TEST(StreamWorkerTest, DestructionFinishesEnqueuedWork) {
  std::atomic<int> ran{0};
  {
    StreamWorker worker;
    for (int i = 0; i < 10; ++i) worker.Enqueue([&] { ++ran; });
  }
  EXPECT_EQ(ran, 10);
}

// What a marker retires (an event's completion) and the stream's count of
// done work are seen together: once the marker has run the stream is idle
// (cuEventSynchronize then cuStreamQuery), and once the stream is idle the
// marker has run (cuStreamSynchronize then cuEventQuery).
TEST(StreamWorkerTest, AMarkerAndTheStreamsCountAreSeenTogether) {
  for (int round = 0; round < 200; ++round) {
    StreamWorker worker;
    std::atomic<bool> retired{false};
    worker.Enqueue([] {});
    worker.EnqueueMarker([&] { retired = true; });
    while (!retired) std::this_thread::yield();
    EXPECT_TRUE(worker.Idle());

    std::atomic<bool> second{false};
    worker.EnqueueMarker([&] { second = true; });
    worker.WaitIdle();
    EXPECT_TRUE(second);
  }
}

TEST(FakeEventTest, RecordsCompleteInOrderWithTimestamps) {
  FakeEvent event;
  EXPECT_TRUE(event.Completed());  // never recorded
  EXPECT_EQ(event.latest(), 0u);
  const uint64_t first = event.BeginRecord();
  EXPECT_FALSE(event.Completed());
  event.Complete(first);
  EXPECT_TRUE(event.Completed());
  const int64_t first_time = event.timestamp_ns();
  const uint64_t second = event.BeginRecord();
  EXPECT_EQ(second, first + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  event.Complete(second);
  EXPECT_GT(event.timestamp_ns(), first_time);
}

TEST(FakeEventTest, AStreamWaitsForAnotherStreamsRecord) {
  FakeEvent event;
  std::atomic<bool> release{false};
  std::atomic<int> step{0};
  StreamWorker producer;
  StreamWorker consumer;
  producer.Enqueue([&] {
    while (!release) std::this_thread::yield();
    step = 1;
  });
  const uint64_t generation = event.BeginRecord();
  producer.Enqueue([&, generation] { event.Complete(generation); });
  consumer.Enqueue([&, generation] { event.WaitFor(generation); });
  consumer.Enqueue([&] { EXPECT_EQ(step, 1); step = 2; });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(step, 0);
  EXPECT_FALSE(consumer.Idle());
  release = true;
  consumer.WaitIdle();
  EXPECT_EQ(step, 2);
}

}  // namespace
}  // namespace hal::fake
