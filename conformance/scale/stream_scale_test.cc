// Many queues and events at once: 1 to 64 queues, each with its own chain of
// dependent dispatches and copies, driven from one thread and from several;
// cross-queue waits in a ring and a fan-out/fan-in; hundreds of events
// polled and waited for; events re-signalled again and again; queues
// destroyed with their work in flight. Every result is checked exactly.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/increment_chain.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

struct QueueCount {
  int queues;
  std::string Name() const { return absl::StrCat("queues_", queues); }
};
const QueueCount kQueueCounts[] = {{1}, {2}, {8}, {32}, {64}};

// Rounds of increments per queue in the chain tests: enough that a command
// overtaking another loses an update somewhere, few enough that 64 queues
// stay within a few milliseconds on the CPU driver.
constexpr int kRounds = 8;

absl::StatusOr<std::vector<std::unique_ptr<Queue>>> CreateQueues(Device& device, int count) {
  std::vector<std::unique_ptr<Queue>> queues;
  for (int i = 0; i < count; ++i) {
    HAL_ASSIGN_OR_RETURN(std::unique_ptr<Queue> queue, device.CreateQueue());
    queues.push_back(std::move(queue));
  }
  return queues;
}

absl::StatusOr<std::vector<std::shared_ptr<Event>>> CreateEvents(Device& device, int count) {
  std::vector<std::shared_ptr<Event>> events;
  for (int i = 0; i < count; ++i) {
    HAL_ASSIGN_OR_RETURN(std::shared_ptr<Event> event, device.CreateEvent());
    events.push_back(std::move(event));
  }
  return events;
}

// `count` lanes of independent work: a queue, an event and a chain each,
// the chain of lane q stepping by q + 1 so that results crossing lanes show.
struct Lanes {
  std::vector<std::unique_ptr<Queue>> queues;
  std::vector<std::shared_ptr<Event>> done;
  std::vector<IncrementChain> chains;
};
absl::StatusOr<Lanes> CreateLanes(Device& device, int count) {
  Lanes lanes;
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> add, IncrementChain::LoadAdd(device));
  HAL_ASSIGN_OR_RETURN(lanes.queues, CreateQueues(device, count));
  HAL_ASSIGN_OR_RETURN(lanes.done, CreateEvents(device, count));
  for (int q = 0; q < count; ++q) {
    HAL_ASSIGN_OR_RETURN(IncrementChain chain,
                         IncrementChain::Create(device, *lanes.queues[q], add, q + 1));
    lanes.chains.push_back(std::move(chain));
  }
  return lanes;
}

class StreamScale : public DeviceCaseTest<QueueCount> {
 protected:
  int queue_count() const { return test_case().queues; }
};

HAL_CTS_COVERS("StreamScale.IndependentChainsFromOneThread", {"stream_create", "success"},
               {"stream_destroy", "success"}, {"stream_dispatch", "success"},
               {"stream_copy_buffer", "success"}, {"stream_signal_event", "success"},
               {"event_create", "success"}, {"event_synchronize", "success"},
               {"event_destroy", "success"});
TEST_P(StreamScale, IndependentChainsFromOneThread) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Lanes lanes, CreateLanes(device(), queue_count()));
  // Round-robin: every queue has work queued while the others are fed.
  for (int round = 0; round < kRounds; ++round) {
    for (int q = 0; q < queue_count(); ++q) {
      HAL_CTS_ASSERT_OK(lanes.chains[q].Enqueue(*lanes.queues[q], 1));
    }
  }
  for (int q = 0; q < queue_count(); ++q) {
    HAL_CTS_ASSERT_OK(lanes.queues[q]->Signal(*lanes.done[q]));
  }
  for (int q = 0; q < queue_count(); ++q) {
    HAL_CTS_ASSERT_OK(lanes.done[q]->Wait());
    HAL_CTS_EXPECT_OK(lanes.chains[q].Check(*lanes.queues[q], kRounds * (q + 1))) << "queue " << q;
  }
}

HAL_CTS_COVERS("StreamScale.IndependentChainsFromThreads", {"stream_create", "success"},
               {"stream_dispatch", "success"}, {"stream_copy_buffer", "success"},
               {"stream_copy_host_to_device", "success"}, {"stream_copy_device_to_host", "success"},
               {"stream_synchronize", "success"});
TEST_P(StreamScale, IndependentChainsFromThreads) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  // Up to four threads, each creating and driving its share of the queues
  // (a Queue is used by one thread at a time), all on the shared device.
  const int thread_count = std::min(queue_count(), 4);
  std::vector<absl::Status> results(queue_count());
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::unique_ptr<Queue>> queues;
      std::vector<IncrementChain> chains;
      std::vector<int> indices;
      for (int q = t; q < queue_count(); q += thread_count) {
        auto queue = device().CreateQueue();
        if (!queue.ok()) {
          results[q] = queue.status();
          continue;
        }
        auto chain = IncrementChain::Create(device(), **queue, add, q + 1);
        if (!chain.ok()) {
          results[q] = chain.status();
          continue;
        }
        queues.push_back(*std::move(queue));
        chains.push_back(*std::move(chain));
        indices.push_back(q);
      }
      for (int round = 0; round < kRounds; ++round) {
        for (size_t i = 0; i < queues.size(); ++i) {
          if (results[indices[i]].ok()) results[indices[i]] = chains[i].Enqueue(*queues[i], 1);
        }
      }
      for (size_t i = 0; i < queues.size(); ++i) {
        if (results[indices[i]].ok()) {
          results[indices[i]] = chains[i].Check(*queues[i], kRounds * (indices[i] + 1));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int q = 0; q < queue_count(); ++q) HAL_CTS_EXPECT_OK(results[q]) << "queue " << q;
}

// One counter passed around a ring of queues: queue i waits for the event
// queue i-1 signalled after its increment, four laps. Without the waits the
// queues' increments of the shared counter race and updates are lost.
HAL_CTS_COVERS("StreamScale.EventRingOrdersSharedWork", {"stream_wait_event", "success"},
               {"stream_signal_event", "success"});
TEST_P(StreamScale, EventRingOrdersSharedWork) {
  constexpr int kLaps = 4;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto queues, CreateQueues(device(), queue_count()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto passed, CreateEvents(device(), queue_count()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(IncrementChain chain,
                               IncrementChain::Create(device(), queue(), add));
  for (int lap = 0; lap < kLaps; ++lap) {
    for (int q = 0; q < queue_count(); ++q) {
      if (lap > 0 || q > 0) {
        HAL_CTS_ASSERT_OK(queues[q]->Wait(*passed[(q + queue_count() - 1) % queue_count()]));
      }
      HAL_CTS_ASSERT_OK(chain.Enqueue(*queues[q], 1));
      HAL_CTS_ASSERT_OK(queues[q]->Signal(*passed[q]));
    }
  }
  HAL_CTS_ASSERT_OK(passed[queue_count() - 1]->Wait());
  HAL_CTS_EXPECT_OK(chain.Check(queue(), kLaps * queue_count()));
}

// A producer's result fanned out to every queue, each adding its own step
// into its own buffer, and gathered by a consumer that waits for all of them.
HAL_CTS_COVERS("StreamScale.FanOutFanIn", {"stream_wait_event", "success"},
               {"stream_signal_event", "success"}, {"stream_dispatch", "success"},
               {"stream_copy_buffer", "success"});
TEST_P(StreamScale, FanOutFanIn) {
  constexpr uint32_t kN = IncrementChain::kElements;
  constexpr uint64_t kBytes = kN * sizeof(int32_t);
  constexpr int kProducerRounds = 4;
  constexpr int32_t kProducerStep = 1000;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto workers, CreateQueues(device(), queue_count()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto worked, CreateEvents(device(), queue_count()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> consumer, device().CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> produced, device().CreateEvent());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(IncrementChain source,
                               IncrementChain::Create(device(), queue(), add, kProducerStep));
  std::vector<std::shared_ptr<Buffer>> steps, outputs;
  for (int w = 0; w < queue_count(); ++w) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        auto step, Upload<int32_t>(device(), queue(), std::vector<int32_t>(kN, w + 1)));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(auto output, device().Allocate(kBytes));
    steps.push_back(std::move(step));
    outputs.push_back(std::move(output));
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto gathered, device().Allocate(kBytes * queue_count()));

  HAL_CTS_ASSERT_OK(source.Enqueue(queue(), kProducerRounds));
  HAL_CTS_ASSERT_OK(queue().Signal(*produced));
  for (int w = 0; w < queue_count(); ++w) {
    const BufferBinding bindings[] = {
        {&source.counter(), 0}, {steps[w].get(), 0}, {outputs[w].get(), 0}};
    HAL_CTS_ASSERT_OK(workers[w]->Wait(*produced));
    HAL_CTS_ASSERT_OK(workers[w]->Dispatch(*add, {WorkgroupsFor(kN, kElementwiseWorkgroupSize)},
                                           bindings, VectorAddI32Constants{kN}));
    HAL_CTS_ASSERT_OK(workers[w]->Signal(*worked[w]));
  }
  for (int w = 0; w < queue_count(); ++w) {
    HAL_CTS_ASSERT_OK(consumer->Wait(*worked[w]));
    HAL_CTS_ASSERT_OK(consumer->CopyBuffer(*outputs[w], 0, *gathered, w * kBytes, kBytes));
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto values,
                               Download<int32_t>(*consumer, *gathered, kN * queue_count()));
  for (int w = 0; w < queue_count(); ++w) {
    const int32_t expected = kProducerRounds * kProducerStep + w + 1;
    for (uint32_t i = 0; i < kN; ++i) {
      ASSERT_EQ(values[w * kN + i], expected) << "worker " << w << ", element " << i;
    }
  }
}

// Queues released straight after their work was submitted finish it; the
// events they signalled complete, though their queue is gone.
HAL_CTS_COVERS("StreamScale.DestroyingQueuesWithWorkInFlight", {"stream_destroy", "success"},
               {"event_query", "success"}, {"event_synchronize", "success"});
TEST_P(StreamScale, DestroyingQueuesWithWorkInFlight) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Lanes lanes, CreateLanes(device(), queue_count()));
  for (int q = 0; q < queue_count(); ++q) {
    HAL_CTS_ASSERT_OK(lanes.chains[q].Enqueue(*lanes.queues[q], kRounds));
    HAL_CTS_ASSERT_OK(lanes.queues[q]->Signal(*lanes.done[q]));
  }
  lanes.queues.clear();
  for (int q = 0; q < queue_count(); ++q) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, lanes.done[q]->IsComplete());
    EXPECT_TRUE(complete) << "queue " << q << " was destroyed before its event completed";
    HAL_CTS_EXPECT_OK(lanes.done[q]->Wait());
    HAL_CTS_EXPECT_OK(lanes.chains[q].Check(queue(), kRounds * (q + 1))) << "queue " << q;
  }
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(StreamScale, kQueueCounts);

struct EventCount {
  int events;
  std::string Name() const { return absl::StrCat("events_", events); }
};
const EventCount kEventCounts[] = {{64}, {256}, {1024}};

class ManyEvents : public DeviceCaseTest<EventCount> {};

// Hundreds of events signalled between the rounds of one chain. An in-order
// queue completes them in order: polled from the last to the first, once one
// is complete every earlier one is; each waits, and their timestamps follow
// the order of the signals.
HAL_CTS_COVERS("ManyEvents.CompleteInSignalOrder", {"event_create", "success"},
               {"event_query", "success"}, {"event_synchronize", "success"},
               {"event_timestamp_ns", "success"}, {"stream_signal_event", "success"},
               {"event_destroy", "success"});
TEST_P(ManyEvents, CompleteInSignalOrder) {
  constexpr int kChainRounds = 32;
  const int event_count = test_case().events;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(IncrementChain chain,
                               IncrementChain::Create(device(), queue(), add));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto events, CreateEvents(device(), event_count));
  for (int e = 0; e < event_count; ++e) {
    // Event e precedes rounds [e * kChainRounds / event_count, (e + 1) * ...).
    const int rounds_before = e * kChainRounds / event_count;
    const int rounds_after = (e + 1) * kChainRounds / event_count;
    HAL_CTS_ASSERT_OK(queue().Signal(*events[e]));
    HAL_CTS_ASSERT_OK(chain.Enqueue(queue(), rounds_after - rounds_before));
  }
  bool later_complete = false;
  for (int e = event_count - 1; e >= 0; --e) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, events[e]->IsComplete());
    ASSERT_TRUE(complete || !later_complete)
        << "event " << e << " is pending though a later event of its queue completed";
    later_complete = later_complete || complete;
  }
  uint64_t previous_ns = 0;
  for (int e = 0; e < event_count; ++e) {
    HAL_CTS_ASSERT_OK(events[e]->Wait());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, events[e]->IsComplete());
    ASSERT_TRUE(complete) << "event " << e << " after Wait";
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t ns, events[e]->TimestampNs());
    ASSERT_GE(ns, previous_ns) << "event " << e << " has an earlier timestamp than event " << e - 1;
    previous_ns = ns;
  }
  HAL_CTS_EXPECT_OK(chain.Check(queue(), kChainRounds));
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(ManyEvents, kEventCounts);

// Two events re-signalled 100 times each. With a device-side ping-pong
// (queue A increments and signals `incremented`; queue B waits for it,
// records the counter and signals `recorded`, which A waits for before its
// next increment) every record is exact only if each wait waits for the
// newest signal. With the host waiting on the re-signalled event after each
// increment, the counter read then is exact too.
class EventReuse : public DeviceTest {
 protected:
  static constexpr int kSignals = 100;
};

HAL_CTS_COVERS("EventReuse.*", {"stream_signal_event", "success"}, {"stream_wait_event", "success"},
               {"event_synchronize", "success"}, {"event_timestamp_ns", "success"});
TEST_P(EventReuse, DevicePingPong) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(IncrementChain chain,
                               IncrementChain::Create(device(), queue(), add));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> recorder, device().CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> incremented, device().CreateEvent());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> recorded, device().CreateEvent());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto records, device().Allocate(kSignals * sizeof(int32_t)));
  for (int s = 0; s < kSignals; ++s) {
    if (s > 0) {
      HAL_CTS_ASSERT_OK(queue().Wait(*recorded));
    }
    HAL_CTS_ASSERT_OK(chain.Enqueue(queue(), 1));
    HAL_CTS_ASSERT_OK(queue().Signal(*incremented));
    HAL_CTS_ASSERT_OK(recorder->Wait(*incremented));
    HAL_CTS_ASSERT_OK(
        recorder->CopyBuffer(chain.counter(), 0, *records, s * sizeof(int32_t), sizeof(int32_t)));
    HAL_CTS_ASSERT_OK(recorder->Signal(*recorded));
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto values, Download<int32_t>(*recorder, *records, kSignals));
  for (int s = 0; s < kSignals; ++s) {
    ASSERT_EQ(values[s], s + 1) << "record " << s << " did not wait for increment " << s;
  }
  HAL_CTS_EXPECT_OK(queue().Synchronize());
}

TEST_P(EventReuse, HostWaitsForEachSignal) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, IncrementChain::LoadAdd(device()));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(IncrementChain chain,
                               IncrementChain::Create(device(), queue(), add));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> reader, device().CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  uint64_t previous_ns = 0;
  for (int s = 0; s < kSignals; ++s) {
    HAL_CTS_ASSERT_OK(chain.Enqueue(queue(), 1));
    HAL_CTS_ASSERT_OK(queue().Signal(*event));
    HAL_CTS_ASSERT_OK(event->Wait());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t ns, event->TimestampNs());
    ASSERT_GE(ns, previous_ns) << "signal " << s;
    previous_ns = ns;
    // The queue has nothing after the signal, so the counter is at rest.
    int32_t first = 0;
    HAL_CTS_ASSERT_OK(reader->CopyDeviceToHost(chain.counter(), 0, &first, sizeof(first)));
    HAL_CTS_ASSERT_OK(reader->Synchronize());
    ASSERT_EQ(first, s + 1) << "the wait for signal " << s << " returned early";
  }
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(EventReuse);

}  // namespace
}  // namespace hal::cts
