// Queues and events: in-order execution, cross-queue waits, event state and
// timestamps, and many queues used at once from several threads.
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class QueueEvent : public DeviceTest {};

constexpr uint32_t kN = 4096;

// Enqueues `rounds` of "scratch = counter + ones; counter = scratch" with no
// synchronization in between: each round reads what the previous one wrote,
// so only in-order execution ends with every element equal to `rounds`.
absl::Status EnqueueIncrements(Queue& queue, const Kernel& vector_add, const Buffer& counter,
                               const Buffer& ones, const Buffer& scratch, int rounds) {
  const BufferBinding bindings[] = {{&counter, 0}, {&ones, 0}, {&scratch, 0}};
  for (int round = 0; round < rounds; ++round) {
    HAL_RETURN_IF_ERROR(queue.Dispatch(vector_add, {WorkgroupsFor(kN, kElementwiseWorkgroupSize)},
                                       bindings, VectorAddI32Constants{kN}));
    HAL_RETURN_IF_ERROR(queue.CopyBuffer(scratch, 0, counter, 0, kN * sizeof(int32_t)));
  }
  return absl::OkStatus();
}

// The buffers of one chain of increments.
struct Counter {
  std::shared_ptr<Buffer> counter, ones, scratch;
};

absl::StatusOr<Counter> MakeCounter(Device& device, Queue& queue) {
  Counter counter;
  HAL_ASSIGN_OR_RETURN(counter.counter,
                       Upload<int32_t>(device, queue, std::vector<int32_t>(kN, 0)));
  HAL_ASSIGN_OR_RETURN(counter.ones, Upload<int32_t>(device, queue, std::vector<int32_t>(kN, 1)));
  HAL_ASSIGN_OR_RETURN(counter.scratch, device.Allocate(kN * sizeof(int32_t)));
  return counter;
}

// Checks every element of the counter is `rounds`, reading through `queue`.
absl::Status CheckCounter(Queue& queue, const Buffer& counter, int rounds) {
  HAL_ASSIGN_OR_RETURN(std::vector<int32_t> values, Download<int32_t>(queue, counter, kN));
  for (uint32_t i = 0; i < kN; ++i) {
    if (values[i] != rounds) {
      return absl::InternalError(absl::StrCat("element ", i, " of the counter is ", values[i],
                                              " after ", rounds, " in-order increments"));
    }
  }
  return absl::OkStatus();
}

// Keeps a queue busy for a while: a 384^3 gemm (milliseconds on a CPU, tens
// of microseconds on a GPU, either way far longer than submitting a few
// commands), so that work of another queue that failed to wait for it would
// overtake it and read stale data.
class BusyWork {
 public:
  static absl::StatusOr<BusyWork> Create(Device& device, Queue& queue) {
    BusyWork work;
    HAL_ASSIGN_OR_RETURN(work.gemm_,
                         device.LoadKernel(CtsEnvironment::Get().kernels(), "gemm_f32"));
    for (std::shared_ptr<Buffer>* matrix : {&work.a_, &work.b_, &work.c_}) {
      HAL_ASSIGN_OR_RETURN(*matrix, device.Allocate(kBytes));
      HAL_RETURN_IF_ERROR(queue.Fill(**matrix, 0, kBytes, 0x3F800000u));  // 1.0f
    }
    HAL_RETURN_IF_ERROR(queue.Synchronize());
    return work;
  }

  absl::Status Enqueue(Queue& queue) const {
    const BufferBinding bindings[] = {{a_.get(), 0}, {b_.get(), 0}, {c_.get(), 0}};
    const uint32_t tiles = WorkgroupsFor(kSize, kGemmTile);
    return queue.Dispatch(*gemm_, {tiles, tiles, 1}, bindings,
                          GemmF32Constants{kSize, kSize, kSize, 1.0f, 0.0f});
  }

 private:
  static constexpr uint32_t kSize = 384;
  static constexpr uint64_t kBytes = uint64_t{kSize} * kSize * sizeof(float);
  std::shared_ptr<Kernel> gemm_;
  std::shared_ptr<Buffer> a_, b_, c_;
};

TEST_P(QueueEvent, ExecutesInOrder) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Counter counter, MakeCounter(device(), queue()));
  constexpr int kRounds = 100;
  HAL_CTS_ASSERT_OK(EnqueueIncrements(queue(), *vector_add, *counter.counter, *counter.ones,
                                      *counter.scratch, kRounds));
  HAL_CTS_EXPECT_OK(CheckCounter(queue(), *counter.counter, kRounds));
}

HAL_CTS_COVERS("QueueEvent.WaitOrdersWorkAcrossQueues", {"event_create", "success"},
               {"event_destroy", "success"}, {"stream_signal_event", "success"},
               {"stream_wait_event", "success"});
TEST_P(QueueEvent, WaitOrdersWorkAcrossQueues) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const BusyWork busy_work, BusyWork::Create(device(), queue()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> consumer, device().CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> produced, device().CreateEvent());
  constexpr uint32_t kProduced = 0x600DF00D;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> result,
                               Upload<uint32_t>(device(), queue(), std::vector<uint32_t>(kN, 0)));

  // The producer is busy, then writes the result and signals; the consumer
  // waits for the signal and reads the result.
  HAL_CTS_ASSERT_OK(busy_work.Enqueue(queue()));
  HAL_CTS_ASSERT_OK(queue().Fill(*result, 0, kN * sizeof(uint32_t), kProduced));
  HAL_CTS_ASSERT_OK(queue().Signal(*produced));
  HAL_CTS_ASSERT_OK(consumer->Wait(*produced));
  std::vector<uint32_t> values(kN, 0);
  HAL_CTS_ASSERT_OK(consumer->CopyDeviceToHost(*result, 0, values.data(), kN * sizeof(uint32_t)));
  HAL_CTS_ASSERT_OK(consumer->Synchronize());  // not the producer's
  for (uint32_t i = 0; i < kN; ++i) {
    ASSERT_EQ(values[i], kProduced) << "element " << i << ": the consumer ran before the signal";
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, produced->IsComplete());
  EXPECT_TRUE(complete);
}

HAL_CTS_COVERS("QueueEvent.EventCompletesAfterEarlierWork", {"event_query", "success"},
               {"event_synchronize", "success"}, {"event_timestamp_ns", "success"});
TEST_P(QueueEvent, EventCompletesAfterEarlierWork) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const BusyWork busy_work, BusyWork::Create(device(), queue()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Counter counter, MakeCounter(device(), queue()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  constexpr int kRounds = 50;
  HAL_CTS_ASSERT_OK(busy_work.Enqueue(queue()));
  HAL_CTS_ASSERT_OK(EnqueueIncrements(queue(), *vector_add, *counter.counter, *counter.ones,
                                      *counter.scratch, kRounds));
  HAL_CTS_ASSERT_OK(queue().Signal(*event));
  // Polling reports a state without blocking, whichever it is.
  HAL_CTS_EXPECT_OK(event->IsComplete());
  HAL_CTS_ASSERT_OK(event->Wait());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, event->IsComplete());
  EXPECT_TRUE(complete);
  HAL_CTS_EXPECT_OK(event->TimestampNs());
  // The event's completion implies the work before it is done: a second
  // queue, which waits for nothing, reads the final counter.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> reader, device().CreateQueue());
  HAL_CTS_EXPECT_OK(CheckCounter(*reader, *counter.counter, kRounds));
}

// Nothing but polling: a driver that batches commands (Vulkan records them
// until a wait) submits the batch holding the signal when asked about it, or
// the event could never complete. hald relies on this to start a tenant's
// copy at once.
HAL_CTS_COVERS("QueueEvent.PollingAloneReachesCompletion", {"event_query", "success"});
TEST_P(QueueEvent, PollingAloneReachesCompletion) {
  constexpr uint32_t kN = 4096;
  constexpr uint32_t kPattern = 0x0DDBA11u;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               device().Allocate(kN * sizeof(uint32_t)));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  HAL_CTS_ASSERT_OK(queue().Fill(*buffer, 0, kN * sizeof(uint32_t), kPattern));
  HAL_CTS_ASSERT_OK(queue().Signal(*event));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool complete = false;
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(complete, event->IsComplete());
    if (!complete) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  ASSERT_TRUE(complete) << "30 s of polling did not see the event signalled";
  // A second queue, which waits for nothing, finds the fill done.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> reader, device().CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint32_t> values,
                               Download<uint32_t>(*reader, *buffer, kN));
  EXPECT_EQ(values, std::vector<uint32_t>(kN, kPattern));
}

TEST_P(QueueEvent, NeverSignalledEventIsFailedPrecondition) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  const auto kFailedPrecondition = StatusIs(absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(event->IsComplete(), kFailedPrecondition);
  EXPECT_THAT(event->Wait(), kFailedPrecondition);
  EXPECT_THAT(event->TimestampNs(), kFailedPrecondition);
  // A queue waiting for it would wait forever: refused, and the queue works on.
  EXPECT_THAT(queue().Wait(*event), kFailedPrecondition);
  HAL_CTS_ASSERT_OK(queue().Signal(*event));
  HAL_CTS_EXPECT_OK(event->Wait());
  HAL_CTS_EXPECT_OK(queue().Synchronize());
}

HAL_CTS_COVERS("QueueEvent.TimestampsAreMonotonic", {"event_timestamp_ns", "success"});
TEST_P(QueueEvent, TimestampsAreMonotonic) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Counter counter, MakeCounter(device(), queue()));
  std::vector<std::shared_ptr<Event>> events;
  for (int i = 0; i < 4; ++i) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
    HAL_CTS_ASSERT_OK(queue().Signal(*event));
    HAL_CTS_ASSERT_OK(EnqueueIncrements(queue(), *vector_add, *counter.counter, *counter.ones,
                                        *counter.scratch, 10));
    events.push_back(std::move(event));
  }
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  uint64_t previous = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t ns, events[i]->TimestampNs());
    EXPECT_GE(ns, previous) << "event " << i << " precedes event " << i - 1;
    previous = ns;
  }
  // Elapsed times are consistent: first to last is the sum of the steps.
  uint64_t steps = 0;
  for (size_t i = 1; i < events.size(); ++i) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t step, Event::ElapsedNs(*events[i - 1], *events[i]));
    steps += step;
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t total,
                               Event::ElapsedNs(*events.front(), *events.back()));
  EXPECT_EQ(total, steps);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t first, events.front()->TimestampNs());
  if (previous > first) {
    EXPECT_THAT(Event::ElapsedNs(*events.back(), *events.front()),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST_P(QueueEvent, ResignalledEventMovesForward) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  HAL_CTS_ASSERT_OK(queue().Signal(*event));
  HAL_CTS_ASSERT_OK(event->Wait());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t first, event->TimestampNs());
  HAL_CTS_ASSERT_OK(queue().Signal(*event));
  HAL_CTS_ASSERT_OK(event->Wait());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t second, event->TimestampNs());
  EXPECT_GE(second, first);
}

TEST_P(QueueEvent, DestroyingAQueueFinishesItsWork) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Counter counter, MakeCounter(device(), queue()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const BusyWork busy_work, BusyWork::Create(device(), queue()));
  constexpr int kRounds = 50;
  {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> short_lived, device().CreateQueue());
    HAL_CTS_ASSERT_OK(busy_work.Enqueue(*short_lived));
    HAL_CTS_ASSERT_OK(EnqueueIncrements(*short_lived, *vector_add, *counter.counter, *counter.ones,
                                        *counter.scratch, kRounds));
  }
  HAL_CTS_EXPECT_OK(CheckCounter(queue(), *counter.counter, kRounds));
}

TEST_P(QueueEvent, BuffersReleasedWhileInFlightStayValid) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Counter counter, MakeCounter(device(), queue()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const BusyWork busy_work, BusyWork::Create(device(), queue()));
  constexpr int kRounds = 50;
  HAL_CTS_ASSERT_OK(busy_work.Enqueue(queue()));
  HAL_CTS_ASSERT_OK(EnqueueIncrements(queue(), *vector_add, *counter.counter, *counter.ones,
                                      *counter.scratch, kRounds));
  // The queue keeps what its work uses alive; the caller may let go at once.
  counter.ones.reset();
  counter.scratch.reset();
  HAL_CTS_EXPECT_OK(CheckCounter(queue(), *counter.counter, kRounds));
}

TEST_P(QueueEvent, ManyQueuesFromSeveralThreads) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> vector_add, LoadKernel("vector_add_i32"));
  constexpr int kThreads = 6;
  constexpr int kRounds = 40;
  // One queue per thread (a Queue is externally synchronized), all on the
  // shared device; each thread checks its own counter.
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      results[t] = [&]() -> absl::Status {
        HAL_ASSIGN_OR_RETURN(std::unique_ptr<Queue> thread_queue, device().CreateQueue());
        HAL_ASSIGN_OR_RETURN(Counter counter, MakeCounter(device(), *thread_queue));
        HAL_RETURN_IF_ERROR(EnqueueIncrements(*thread_queue, *vector_add, *counter.counter,
                                              *counter.ones, *counter.scratch, kRounds));
        return CheckCounter(*thread_queue, *counter.counter, kRounds);
      }();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) HAL_CTS_EXPECT_OK(results[t]) << "thread " << t;
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(QueueEvent);

}  // namespace
}  // namespace hal::cts
