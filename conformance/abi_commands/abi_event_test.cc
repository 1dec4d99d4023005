// Events through the driver table: event_create/destroy, event_query (success
// once reached, not-ready before), event_synchronize, event_timestamp_ns
// (failed-precondition before the first signal, monotonic per context, later
// after a re-signal), stream_signal_event (a re-signal resets the event) and
// stream_wait_event (another stream's copy sees what came before the signal).
// "Not ready" is asserted only while a witness event proves work pending.
#include <chrono>
#include <thread>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

constexpr uint64_t kSize = 4096;

class AbiEvent : public AbiCommandsTest {
 protected:
  // Signals `event` on stream() and waits for it.
  void SignalAndWait(hal_drv_event* event) {
    Signal(stream(), event);
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_synchronize(event));
  }
  // `stream` fills `buffer` with `value` behind a short chain and signals `event`.
  void FillBehindAChain(const DrvStream& stream, hal_drv_buffer* buffer, uint32_t value,
                        hal_drv_event* event) {
    EnqueueGemmChain(stream, 2);
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer, 0, kSize, value));
    Signal(stream, event);
  }
};

HAL_CTS_COVERS("AbiEvent.CreateGivesAnEventThatIsNotReady", {"event_create", "success"},
               {"event_query", "not-ready"});
TEST_P(AbiEvent, CreateGivesAnEventThatIsNotReady) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  EXPECT_HAL_RESULT(HAL_NOT_READY, table().event_query(event.get()))
      << "a never-signalled event";
}

HAL_CTS_COVERS("AbiEvent.CreateSkipsAnUnknownChainedStruct", {"event_create", "success"});
TEST_P(AbiEvent, CreateSkipsAnUnknownChainedStruct) {
  const hal_chain_header unknown{static_cast<hal_structure_type>(0x7fff), nullptr};
  const hal_event_desc desc{HAL_STRUCTURE_TYPE_EVENT_DESC, &unknown, 0};
  hal_drv_event* raw = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().event_create(context(), &desc, &raw));
  DrvEvent event(&table(), context(), raw);
  SignalAndWait(raw);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(raw));
}

// Destroying events, reached or never signalled, leaves the others working.
HAL_CTS_COVERS("AbiEvent.DestroyLeavesOtherEventsAlone", {"event_destroy", "success"});
TEST_P(AbiEvent, DestroyLeavesOtherEventsAlone) {
  DrvEvent never_signalled = CreateEvent();
  DrvEvent reached = CreateEvent();
  DrvEvent kept = CreateEvent();
  ASSERT_TRUE(never_signalled && reached && kept);
  SignalAndWait(reached.get());
  SignalAndWait(kept.get());
  const uint64_t kept_time = Timestamp(kept.get());
  never_signalled.reset();
  reached.reset();
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(kept.get()));
  EXPECT_EQ(Timestamp(kept.get()), kept_time);
  DrvEvent fresh = CreateEvent();
  ASSERT_TRUE(fresh);
  SignalAndWait(fresh.get());
}

HAL_CTS_COVERS("AbiEvent.QueryIsSuccessOnceTheSignalIsReached", {"event_query", "success"},
               {"stream_signal_event", "success"});
TEST_P(AbiEvent, QueryIsSuccessOnceTheSignalIsReached) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  EnqueueGemmChain(stream(), 2);
  Signal(stream(), event.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream().get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(event.get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(event.get())) << "asked twice";
}

// The witness is signalled before `event`: while it is pending, so is `event`.
HAL_CTS_COVERS("AbiEvent.QueryIsNotReadyWhileEarlierWorkIsPending",
               {"event_query", "not-ready"}, {"event_query", "success"});
TEST_P(AbiEvent, QueryIsNotReadyWhileEarlierWorkIsPending) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  ExpectAnswerWhileBusy(
      stream(), [&] { Signal(stream(), event.get()); },
      [&] { return table().event_query(event.get()); }, HAL_NOT_READY);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(event.get())) << "after synchronize";
}

// Two events of one stream polled, the later first: whenever the later says
// reached, the earlier must too.
HAL_CTS_COVERS("AbiEvent.QueryNeverRunsAheadOfTheStream", {"event_query", "success"});
TEST_P(AbiEvent, QueryNeverRunsAheadOfTheStream) {
  DrvEvent earlier = CreateEvent();
  DrvEvent later = CreateEvent();
  ASSERT_TRUE(earlier && later);
  EnqueueGemmChain(stream(), 2);
  Signal(stream(), earlier.get());
  EnqueueGemmChain(stream(), 2);
  Signal(stream(), later.get());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  hal_result later_answer = HAL_NOT_READY;
  while (later_answer == HAL_NOT_READY && std::chrono::steady_clock::now() < deadline) {
    later_answer = table().event_query(later.get());
    const hal_result earlier_answer = table().event_query(earlier.get());
    if (later_answer == HAL_SUCCESS) {
      ASSERT_HAL_RESULT(HAL_SUCCESS, earlier_answer) << "the later event was reached first";
    } else {
      ASSERT_HAL_RESULT(HAL_NOT_READY, later_answer);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  EXPECT_HAL_RESULT(HAL_SUCCESS, later_answer) << "still not reached after 2 minutes";
}

// event_synchronize returns once the fill before the signal has landed: a
// fresh stream, ordered by nothing, reads the filled bytes.
HAL_CTS_COVERS("AbiEvent.SynchronizeWaitsForTheWorkBeforeTheSignal",
               {"event_synchronize", "success"});
TEST_P(AbiEvent, SynchronizeWaitsForTheWorkBeforeTheSignal) {
  DrvEvent event = CreateEvent();
  DrvStream reader = CreateStream();
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(event && reader && buffer);
  FillBehindAChain(stream(), buffer.get(), 0x51515151u, event.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().event_synchronize(event.get()));
  EXPECT_EQ(ReadBackAs<uint32_t>(reader, buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 0x51515151u));
}

HAL_CTS_COVERS("AbiEvent.SynchronizeOfAReachedEventSucceeds", {"event_synchronize", "success"});
TEST_P(AbiEvent, SynchronizeOfAReachedEventSucceeds) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  SignalAndWait(event.get());
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_synchronize(event.get())) << "the second time";
}

HAL_CTS_COVERS("AbiEvent.TimestampBeforeTheFirstSignalIsFailedPrecondition",
               {"event_timestamp_ns", "failed-precondition"});
TEST_P(AbiEvent, TimestampBeforeTheFirstSignalIsFailedPrecondition) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  uint64_t ns = 0;
  EXPECT_HAL_RESULT(HAL_ERROR_FAILED_PRECONDITION, table().event_timestamp_ns(event.get(), &ns));
  EXPECT_NE(LastError(), "") << "a failure without a message";
}

HAL_CTS_COVERS("AbiEvent.TimestampOfAReachedEventIsStable", {"event_timestamp_ns", "success"});
TEST_P(AbiEvent, TimestampOfAReachedEventIsStable) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  SignalAndWait(event.get());
  const uint64_t first = Timestamp(event.get());
  EnqueueGemmChain(stream(), 1);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream().get()));
  EXPECT_EQ(Timestamp(event.get()), first) << "the timestamp of one signal changed";
}

// Along one stream, with work between the signals, time never goes back.
HAL_CTS_COVERS("AbiEvent.TimestampsAreMonotonicAlongAStream", {"event_timestamp_ns", "success"});
TEST_P(AbiEvent, TimestampsAreMonotonicAlongAStream) {
  std::vector<DrvEvent> events;
  for (int i = 0; i < 4; ++i) {
    events.push_back(CreateEvent());
    ASSERT_TRUE(events.back());
    EnqueueGemmChain(stream(), 1);
    Signal(stream(), events.back().get());
  }
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream().get()));
  uint64_t previous = 0;
  for (const DrvEvent& event : events) {
    const uint64_t ns = Timestamp(event.get());
    EXPECT_GE(ns, previous);
    previous = ns;
  }
}

// The clock is the context's: an event reached on one stream before another
// stream signals is no later than that signal.
HAL_CTS_COVERS("AbiEvent.TimestampsAreMonotonicAcrossStreamsOfAContext",
               {"event_timestamp_ns", "success"});
TEST_P(AbiEvent, TimestampsAreMonotonicAcrossStreamsOfAContext) {
  DrvStream other = CreateStream();
  DrvEvent first = CreateEvent();
  DrvEvent second = CreateEvent();
  ASSERT_TRUE(other && first && second);
  SignalAndWait(first.get());
  EnqueueGemmChain(other, 1);
  Signal(other, second.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().event_synchronize(second.get()));
  EXPECT_GE(Timestamp(second.get()), Timestamp(first.get()));
}

// A re-signalled event, once reached again, carries the new, later time.
HAL_CTS_COVERS("AbiEvent.ResignalGivesALaterTimestamp", {"event_timestamp_ns", "success"},
               {"stream_signal_event", "success"});
TEST_P(AbiEvent, ResignalGivesALaterTimestamp) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  SignalAndWait(event.get());
  const uint64_t first = Timestamp(event.get());
  EnqueueGemmChain(stream(), 2);
  SignalAndWait(event.get());
  EXPECT_GT(Timestamp(event.get()), first) << "two gemms took no time on the event's clock";
}

// Re-signalling resets a reached event: it is not ready while the work before
// the new signal is pending (the witness, signalled before it, proves it).
HAL_CTS_COVERS("AbiEvent.ResignalResetsAReachedEvent", {"stream_signal_event", "success"},
               {"event_query", "not-ready"});
TEST_P(AbiEvent, ResignalResetsAReachedEvent) {
  DrvEvent event = CreateEvent();
  ASSERT_TRUE(event);
  SignalAndWait(event.get());
  ExpectAnswerWhileBusy(
      stream(), [&] { Signal(stream(), event.get()); },
      [&] { return table().event_query(event.get()); }, HAL_NOT_READY);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(event.get())) << "after synchronize";
}

// The consumer's copy, behind its wait, sees the producer's fill, which a
// chain of gemms delays: without the wait the copy would run first.
HAL_CTS_COVERS("AbiEvent.WaitOrdersAnotherStreamBehindTheSignal",
               {"stream_wait_event", "success"});
TEST_P(AbiEvent, WaitOrdersAnotherStreamBehindTheSignal) {
  DrvStream consumer = CreateStream();
  DrvEvent produced = CreateEvent();
  DrvBuffer source = AllocateBuffer(kSize);
  DrvBuffer target = AllocateBuffer(kSize);
  ASSERT_TRUE(consumer && produced && source && target);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(consumer.get(), target.get(), 0, kSize, 0));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(consumer.get()));
  FillBehindAChain(stream(), source.get(), 0x0badcafeu, produced.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(consumer.get(), produced.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(consumer.get(), source.get(), 0,
                                                            target.get(), 0, kSize));
  EXPECT_EQ(ReadBackAs<uint32_t>(consumer, target.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 0x0badcafeu))
      << "the consumer copied before the producer's fill";
}

// A wait follows the event's latest signal, not an earlier one already
// reached.
HAL_CTS_COVERS("AbiEvent.WaitFollowsTheLatestSignal", {"stream_wait_event", "success"},
               {"stream_signal_event", "success"});
TEST_P(AbiEvent, WaitFollowsTheLatestSignal) {
  DrvStream consumer = CreateStream();
  DrvEvent produced = CreateEvent();
  DrvBuffer source = AllocateBuffer(kSize);
  DrvBuffer target = AllocateBuffer(kSize);
  ASSERT_TRUE(consumer && produced && source && target);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), source.get(), 0, kSize, 1));
  SignalAndWait(produced.get());
  FillBehindAChain(stream(), source.get(), 2, produced.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(consumer.get(), produced.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(consumer.get(), source.get(), 0,
                                                            target.get(), 0, kSize));
  EXPECT_EQ(ReadBackAs<uint32_t>(consumer, target.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 2u))
      << "the wait was satisfied by the earlier signal";
}

// One stream waits for two producers and copies what each made.
HAL_CTS_COVERS("AbiEvent.WaitForTwoStreams", {"stream_wait_event", "success"});
TEST_P(AbiEvent, WaitForTwoStreams) {
  DrvStream second_producer = CreateStream();
  DrvStream consumer = CreateStream();
  DrvEvent first_done = CreateEvent();
  DrvEvent second_done = CreateEvent();
  DrvBuffer first = AllocateBuffer(kSize);
  DrvBuffer second = AllocateBuffer(kSize);
  DrvBuffer target = AllocateBuffer(2 * kSize);
  ASSERT_TRUE(second_producer && consumer && first_done && second_done && first && second &&
              target);
  FillBehindAChain(stream(), first.get(), 0x11111111u, first_done.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(second_producer.get(), second.get(), 0, kSize, 0x22222222u));
  Signal(second_producer, second_done.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(consumer.get(), first_done.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(consumer.get(), second_done.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(consumer.get(), first.get(), 0,
                                                            target.get(), 0, kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(consumer.get(), second.get(), 0,
                                                            target.get(), kSize, kSize));
  std::vector<uint32_t> expected(kSize / 4, 0x11111111u);
  expected.resize(2 * kSize / 4, 0x22222222u);
  EXPECT_EQ(ReadBackAs<uint32_t>(consumer, target.get(), 0, 2 * kSize / 4), expected);
}

// Waiting for an event the same stream signalled earlier is already satisfied
// by stream order: the stream carries on.
HAL_CTS_COVERS("AbiEvent.WaitOnTheStreamsOwnEvent", {"stream_wait_event", "success"});
TEST_P(AbiEvent, WaitOnTheStreamsOwnEvent) {
  DrvEvent event = CreateEvent();
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(event && buffer);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), buffer.get(), 0, kSize, 3));
  Signal(stream(), event.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(stream().get(), event.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), buffer.get(), 0, 4, 4));
  std::vector<uint32_t> expected(kSize / 4, 3u);
  expected[0] = 4;
  EXPECT_EQ(ReadBackAs<uint32_t>(stream(), buffer.get(), 0, kSize / 4), expected);
}

// A wait on an event already reached lets the stream run at once.
HAL_CTS_COVERS("AbiEvent.WaitOnAReachedEventDoesNotHoldTheStream",
               {"stream_wait_event", "success"});
TEST_P(AbiEvent, WaitOnAReachedEventDoesNotHoldTheStream) {
  DrvStream other = CreateStream();
  DrvEvent event = CreateEvent();
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(other && event && buffer);
  SignalAndWait(event.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(other.get(), event.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(other.get(), buffer.get(), 0, kSize, 5));
  EXPECT_EQ(ReadBackAs<uint32_t>(other, buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 5u));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiEvent);

}  // namespace
}  // namespace hal::cts
