// Streams through the driver table: stream_create of each priority,
// stream_destroy finishing queued work, stream_synchronize waiting for every
// command, stream_query telling idle from busy without blocking.
#include <chrono>
#include <thread>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

constexpr uint64_t kSize = 4096;

class AbiStream : public AbiCommandsTest {
 protected:
  // A stream of `priority` fills a buffer and copies it back in order: the
  // stream works whether or not the device honours priorities.
  void CheckStreamWorks(hal_stream_priority priority) {
    DrvStream stream = CreateStream(priority);
    ASSERT_TRUE(stream);
    DrvBuffer buffer = AllocateBuffer(kSize);
    ASSERT_TRUE(buffer);
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().stream_fill(stream.get(), buffer.get(), 0, kSize, 0x5eed0001u));
    EXPECT_EQ(ReadBackAs<uint32_t>(stream, buffer.get(), 0, kSize / 4),
              std::vector<uint32_t>(kSize / 4, 0x5eed0001u));
  }
};

HAL_CTS_COVERS("AbiStream.Creates*PriorityStream", {"stream_create", "success"},
               {"stream_synchronize", "success"});
TEST_P(AbiStream, CreatesANormalPriorityStream) { CheckStreamWorks(HAL_STREAM_PRIORITY_NORMAL); }
TEST_P(AbiStream, CreatesALowPriorityStream) { CheckStreamWorks(HAL_STREAM_PRIORITY_LOW); }
TEST_P(AbiStream, CreatesAHighPriorityStream) { CheckStreamWorks(HAL_STREAM_PRIORITY_HIGH); }

// A later runtime may chain options this driver does not know: it skips them.
HAL_CTS_COVERS("AbiStream.CreateSkipsAnUnknownChainedStruct", {"stream_create", "success"});
TEST_P(AbiStream, CreateSkipsAnUnknownChainedStruct) {
  const hal_chain_header unknown{static_cast<hal_structure_type>(0x7fff), nullptr};
  const hal_stream_desc desc{HAL_STRUCTURE_TYPE_STREAM_DESC, &unknown, HAL_STREAM_PRIORITY_NORMAL};
  hal_drv_stream* raw = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_create(context(), &desc, &raw));
  DrvStream stream(&table(), context(), raw);
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(buffer);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(raw, buffer.get(), 0, kSize, 7));
  EXPECT_EQ(ReadBackAs<uint32_t>(stream, buffer.get(), 0, 1), std::vector<uint32_t>{7});
}

// Commands interleaved on two streams of one context each land in their own
// buffer.
HAL_CTS_COVERS("AbiStream.StreamsOfOneContextWorkSideBySide", {"stream_create", "success"});
TEST_P(AbiStream, StreamsOfOneContextWorkSideBySide) {
  DrvStream first = CreateStream();
  DrvStream second = CreateStream();
  DrvBuffer first_buffer = AllocateBuffer(kSize);
  DrvBuffer second_buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(first && second && first_buffer && second_buffer);
  for (uint32_t round = 1; round <= 4; ++round) {
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().stream_fill(first.get(), first_buffer.get(), 0, kSize, round));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(second.get(), second_buffer.get(), 0,
                                                       kSize, 100 + round));
  }
  EXPECT_EQ(ReadBackAs<uint32_t>(first, first_buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 4));
  EXPECT_EQ(ReadBackAs<uint32_t>(second, second_buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 104));
}

HAL_CTS_COVERS("AbiStream.DestroyOfUnusedStreamsLeavesTheContextUsable",
               {"stream_destroy", "success"});
TEST_P(AbiStream, DestroyOfUnusedStreamsLeavesTheContextUsable) {
  for (int i = 0; i < 4; ++i) {
    DrvStream unused = CreateStream();
    ASSERT_TRUE(unused);
  }
  CheckStreamWorks(HAL_STREAM_PRIORITY_NORMAL);
}

// stream_destroy waits for the stream's work: a fill queued behind a chain of
// gemms has landed when another stream reads the buffer.
HAL_CTS_COVERS("AbiStream.DestroyFinishesWorkQueuedBehindAChain", {"stream_destroy", "success"});
TEST_P(AbiStream, DestroyFinishesWorkQueuedBehindAChain) {
  DrvStream doomed = CreateStream();
  DrvStream reader = CreateStream();
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(doomed && reader && buffer);
  EnqueueGemmChain(doomed, 2);
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(doomed.get(), buffer.get(), 0, kSize, 0xd0d0d0d0u));
  doomed.reset();
  EXPECT_EQ(ReadBackAs<uint32_t>(reader, buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 0xd0d0d0d0u))
      << "stream_destroy returned before its fill ran";
}

// Several large fills queued, the stream destroyed at once: the last one wins.
HAL_CTS_COVERS("AbiStream.DestroyFinishesQueuedFillsInOrder", {"stream_destroy", "success"});
TEST_P(AbiStream, DestroyFinishesQueuedFillsInOrder) {
  constexpr uint64_t kLarge = uint64_t{4} << 20;
  DrvStream doomed = CreateStream();
  DrvStream reader = CreateStream();
  DrvBuffer buffer = AllocateBuffer(kLarge);
  ASSERT_TRUE(doomed && reader && buffer);
  for (uint32_t value = 1; value <= 4; ++value) {
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().stream_fill(doomed.get(), buffer.get(), 0, kLarge, value));
  }
  doomed.reset();
  const std::vector<uint32_t> words = ReadBackAs<uint32_t>(reader, buffer.get(), 0, kLarge / 4);
  EXPECT_EQ(words, std::vector<uint32_t>(kLarge / 4, 4u));
}

HAL_CTS_COVERS("AbiStream.SynchronizeOfANewStreamSucceeds", {"stream_synchronize", "success"});
TEST_P(AbiStream, SynchronizeOfANewStreamSucceeds) {
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
}

// After stream_synchronize a device-to-host copy queued behind a chain and a
// fill has written the host memory.
HAL_CTS_COVERS("AbiStream.SynchronizeWaitsForEveryCommand", {"stream_synchronize", "success"});
TEST_P(AbiStream, SynchronizeWaitsForEveryCommand) {
  DrvStream stream = CreateStream();
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(stream && buffer);
  EnqueueGemmChain(stream, 2);
  std::vector<uint32_t> host(kSize / 4, 0);
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream.get(), buffer.get(), 0, kSize, 0xabcd0123u));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_device_to_host(stream.get(), buffer.get(), 0,
                                                                    host.data(), kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_EQ(host, std::vector<uint32_t>(kSize / 4, 0xabcd0123u));
}

// A stream waiting for another stream's event synchronizes only once that
// event has been reached.
HAL_CTS_COVERS("AbiStream.SynchronizeWaitsThroughAnEventWait", {"stream_synchronize", "success"},
               {"stream_wait_event", "success"});
TEST_P(AbiStream, SynchronizeWaitsThroughAnEventWait) {
  DrvStream producer = CreateStream();
  DrvStream consumer = CreateStream();
  DrvEvent produced = CreateEvent();
  ASSERT_TRUE(producer && consumer && produced);
  EnqueueGemmChain(producer, 2);
  Signal(producer, produced.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_wait_event(consumer.get(), produced.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(consumer.get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(produced.get()))
      << "the consumer synchronized before the event it waits for was reached";
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(producer.get()));
}

HAL_CTS_COVERS("AbiStream.QueryOfANewStreamIsSuccess", {"stream_query", "success"});
TEST_P(AbiStream, QueryOfANewStreamIsSuccess) {
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_query(stream.get()));
}

HAL_CTS_COVERS("AbiStream.QueryAfterSynchronizeIsSuccess", {"stream_query", "success"});
TEST_P(AbiStream, QueryAfterSynchronizeIsSuccess) {
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  EnqueueGemmChain(stream, 2);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_query(stream.get()));
}

// The witness event, signalled after the chain and queried after
// stream_query, still pending: the stream had work pending when queried.
HAL_CTS_COVERS("AbiStream.QueryIsNotReadyWhileWorkIsPending", {"stream_query", "not-ready"});
TEST_P(AbiStream, QueryIsNotReadyWhileWorkIsPending) {
  ExpectAnswerWhileBusy(
      stream(), [] {}, [&] { return table().stream_query(stream().get()); }, HAL_NOT_READY);
}

// Another stream's pending work is not this stream's: an idle stream answers
// success while its neighbour is busy.
HAL_CTS_COVERS("AbiStream.QueryOfAnIdleStreamIgnoresAnotherStreamsWork",
               {"stream_query", "success"});
TEST_P(AbiStream, QueryOfAnIdleStreamIgnoresAnotherStreamsWork) {
  DrvStream idle_stream = CreateStream();
  ASSERT_TRUE(idle_stream);
  ExpectAnswerWhileBusy(
      stream(), [] {}, [&] { return table().stream_query(idle_stream.get()); }, HAL_SUCCESS);
}

// Polling stream_query ends in success without stream_synchronize, and only
// once the chain and the event behind it have completed.
HAL_CTS_COVERS("AbiStream.QueryTurnsSuccessOnlyOnceTheWorkCompleted",
               {"stream_query", "success"});
TEST_P(AbiStream, QueryTurnsSuccessOnlyOnceTheWorkCompleted) {
  DrvStream stream = CreateStream();
  DrvEvent done = CreateEvent();
  ASSERT_TRUE(stream && done);
  EnqueueGemmChain(stream, 4);
  Signal(stream, done.get());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  hal_result answer = HAL_NOT_READY;
  while (answer == HAL_NOT_READY && std::chrono::steady_clock::now() < deadline) {
    answer = table().stream_query(stream.get());
    if (answer == HAL_NOT_READY) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ASSERT_HAL_RESULT(HAL_SUCCESS, answer) << "stream_query, polled for up to 2 minutes";
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_query(done.get()))
      << "stream_query said idle before the event behind the chain was reached";
  EXPECT_EQ(ReadBackAs<float>(stream, gemm_chain_output(), 0, 1),
            std::vector<float>{kGemmChainResult});
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiStream);

}  // namespace
}  // namespace hal::cts
