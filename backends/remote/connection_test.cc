// The remote driver's connection against a fake daemon on a socketpair,
// driven message by message: the handshake, batching, answers out of order,
// downloads and shared-memory ranges, and a daemon that goes away.
#include "backends/remote/connection.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/remote/fake_daemon.h"
#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/test_support.h"
#include "backends/remote/protocol/wire_version.h"
#include "backends/remote/transfers.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

using testing::ConnectedPair;
using testing::ErrorAnswer;
using testing::FakePeer;
using testing::WelcomeMessage;

constexpr auto kShortWhile = std::chrono::milliseconds(100);

// A fill, the smallest one-way stream command.
ClientMessage FillCommand(uint64_t stream) {
  ClientMessage command;
  command.mutable_fill()->set_stream(stream);
  command.mutable_fill()->set_size(4);
  return command;
}

ClientMessage DownloadCommand(uint64_t stream, uint64_t size) {
  ClientMessage command;
  command.mutable_copy_device_to_host()->set_stream(stream);
  command.mutable_copy_device_to_host()->set_size(size);
  return command;
}

// The daemon's DownloadComplete for `command` (a posted CopyDeviceToHost)
// carrying `bytes` inline.
DaemonMessage DownloadComplete(const ClientMessage& command, const std::string& bytes) {
  DaemonMessage complete;
  complete.mutable_download_complete()->set_download(command.copy_device_to_host().download());
  complete.mutable_download_complete()->set_inline_data(bytes);
  return complete;
}

ClientMessage SyncRequest(uint64_t stream) {
  ClientMessage request;
  request.mutable_stream_synchronize()->set_stream(stream);
  return request;
}

// Expects `status` to be the lost connection's Unavailable.
void ExpectLost(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "hald at fake closed the connection")) << status;
}

class ConnectionTest : public ::testing::Test {
 protected:
  // A connection whose handshake the fake daemon answered with session 7.
  void SetUp() override {
    auto [client, daemon] = ConnectedPair();
    daemon_ = std::move(daemon);
    daemon_->Send(WelcomeMessage(7));
    absl::StatusOr<std::unique_ptr<Connection>> connection =
        Connection::OverSocket(std::move(client), "hald at fake", "token-1");
    ASSERT_TRUE(connection.ok()) << connection.status();
    connection_ = *std::move(connection);
    hello_ = daemon_->Next();
  }

  // Sends `request` from another thread; its result arrives in the future.
  std::future<absl::StatusOr<DaemonMessage>> CallAsync(ClientMessage request) {
    return std::async(std::launch::async, [this, request = std::move(request)]() mutable {
      return connection_->Call(std::move(request));
    });
  }

  std::unique_ptr<FakePeer> daemon_;
  std::unique_ptr<Connection> connection_;
  ClientMessage hello_;
};

TEST_F(ConnectionTest, HelloCarriesTheVersionAndTheToken) {
  ASSERT_TRUE(hello_.has_hello());
  EXPECT_NE(hello_.request_id(), 0u);
  EXPECT_EQ(hello_.hello().protocol_major(), kProtocolMajor);
  EXPECT_EQ(hello_.hello().protocol_minor(), kProtocolMinor);
  EXPECT_EQ(hello_.hello().token(), "token-1");
  EXPECT_EQ(connection_->session(), 7u);
  EXPECT_EQ(connection_->max_inline_bytes(), kMaxFrameBytes - Connection::kFrameOverheadBytes);
}

TEST(ConnectionHandshake, ARefusedHelloIsUnavailableWithTheDaemonsMessage) {
  auto [client, daemon] = ConnectedPair();
  daemon->Send(ErrorAnswer(ClientMessage(), absl::StatusCode::kFailedPrecondition,
                           "protocol 2.0 is not 1.0"));
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::OverSocket(std::move(client), "hald at fake", "");
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(connection.status().message(),
                                "hald at fake refused the connection: protocol 2.0 is not 1.0"))
      << connection.status();
}

TEST(ConnectionHandshake, ADaemonThatClosesAtOnceIsUnavailable) {
  auto [client, daemon] = ConnectedPair();
  daemon->Close();
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::OverSocket(std::move(client), "hald at fake", "");
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable) << connection.status();
}

TEST(ConnectionHandshake, AnotherMajorVersionIsUnavailableNamingBoth) {
  auto [client, daemon] = ConnectedPair();
  DaemonMessage welcome = WelcomeMessage(1);
  welcome.mutable_welcome()->set_protocol_major(kProtocolMajor + 1);
  daemon->Send(welcome);
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::OverSocket(std::move(client), "hald at fake", "");
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(
      connection.status().message(),
      absl::StrCat("speaks protocol ", kProtocolMajor + 1, ".", kProtocolMinor)))
      << connection.status();
}

TEST(ConnectionHandshake, NoDaemonIsUnavailableAtOnceNamingTheEndpoint) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(*ParseEndpoint("unix:/nonexistent/hald.sock"), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(connection.status().message(),
                                "no hald at unix:/nonexistent/hald.sock: "))
      << connection.status();
  EXPECT_TRUE(absl::StrContains(connection.status().message(), "(set HAL_REMOTE_ENDPOINT)"));
}

TEST_F(ConnectionTest, OneWayCommandsRideWithTheNextRequest) {
  for (uint64_t stream = 1; stream <= 3; ++stream) {
    ASSERT_TRUE(connection_->Post(FillCommand(stream)).ok());
  }
  auto answer = CallAsync(SyncRequest(1));
  const ClientMessage frame = daemon_->Next();
  ASSERT_TRUE(frame.has_stream_synchronize());
  ASSERT_EQ(frame.batch_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(frame.batch(i).request_id(), 0u);
    EXPECT_EQ(frame.batch(i).fill().stream(), static_cast<uint64_t>(i + 1));
  }
  daemon_->Answer(frame, DaemonMessage());
  EXPECT_TRUE(answer.get().ok());
}

// Posts `entries` fills and expects them in one batch frame of their own.
void ExpectBatchOf(Connection& connection, FakePeer& daemon, int entries) {
  for (int i = 0; i < entries; ++i) ASSERT_TRUE(connection.Post(FillCommand(1)).ok());
  const ClientMessage frame = daemon.Next();
  EXPECT_EQ(frame.request_id(), 0u);
  EXPECT_EQ(frame.body_case(), ClientMessage::BODY_NOT_SET);
  EXPECT_EQ(frame.batch_size(), entries);
}

TEST_F(ConnectionTest, TheBatchGrowsFromItsFirstSizeToItsEntryLimit) {
  for (int entries = Connection::kFirstBatchFlushEntries; entries < Connection::kBatchFlushEntries;
       entries *= 2) {
    ExpectBatchOf(*connection_, *daemon_, entries);
  }
  ExpectBatchOf(*connection_, *daemon_, Connection::kBatchFlushEntries);
  ExpectBatchOf(*connection_, *daemon_, Connection::kBatchFlushEntries);
}

TEST_F(ConnectionTest, ARequestStartsTheBatchAtItsFirstSizeAgain) {
  ExpectBatchOf(*connection_, *daemon_, Connection::kFirstBatchFlushEntries);
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Answer(daemon_->Next(), DaemonMessage());
  ASSERT_TRUE(answer.get().ok());
  ExpectBatchOf(*connection_, *daemon_, Connection::kFirstBatchFlushEntries);
}

TEST_F(ConnectionTest, TheBatchGoesOutAtItsByteLimit) {
  ClientMessage upload;
  upload.mutable_copy_host_to_device()->set_inline_data(std::string(100 << 10, 'x'));
  // Sent from another thread: the frame is larger than the socket's buffer.
  auto posted = std::async(std::launch::async, [&] {
    for (int i = 0; i < 3; ++i) {
      if (absl::Status status = connection_->Post(upload); !status.ok()) return status;
    }
    return absl::OkStatus();
  });
  const ClientMessage frame = daemon_->Next();
  EXPECT_EQ(frame.batch_size(), 3);
  EXPECT_TRUE(posted.get().ok());
}

TEST_F(ConnectionTest, BytesMovedThroughSharedMemoryCountTowardTheByteLimit) {
  ClientMessage upload;
  upload.mutable_copy_host_to_device()->mutable_shm()->set_size(Connection::kBatchFlushBytes);
  ASSERT_TRUE(connection_->Post(upload).ok());
  EXPECT_EQ(daemon_->Next().batch_size(), 1);
}

TEST_F(ConnectionTest, FlushSendsTheBatchAlone) {
  ASSERT_TRUE(connection_->Post(FillCommand(4)).ok());
  ASSERT_TRUE(connection_->Flush().ok());
  const ClientMessage frame = daemon_->Next();
  EXPECT_EQ(frame.request_id(), 0u);
  ASSERT_EQ(frame.batch_size(), 1);
  EXPECT_EQ(frame.batch(0).fill().stream(), 4u);
}

TEST_F(ConnectionTest, AnswersMayComeInAnyOrder) {
  auto first = CallAsync(SyncRequest(1));
  const ClientMessage first_request = daemon_->Next();
  auto second = CallAsync(SyncRequest(2));
  const ClientMessage second_request = daemon_->Next();
  DaemonMessage second_answer;
  second_answer.mutable_stream_state()->set_idle(true);
  daemon_->Answer(second_request, second_answer);
  ASSERT_TRUE(second.get().ok());
  EXPECT_EQ(first.wait_for(kShortWhile), std::future_status::timeout);
  DaemonMessage first_answer;
  first_answer.mutable_stream_state()->set_idle(false);
  daemon_->Answer(first_request, first_answer);
  absl::StatusOr<DaemonMessage> answer = first.get();
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer->stream_state().idle());
}

TEST_F(ConnectionTest, TheDaemonsFailureIsTheCallersStatus) {
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Send(ErrorAnswer(daemon_->Next(), absl::StatusCode::kResourceExhausted, "quota"));
  const absl::StatusOr<DaemonMessage> result = answer.get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(result.status().message(), "quota");
}

TEST_F(ConnectionTest, ARequestLargerThanAFrameIsRefusedAndTheConnectionLives) {
  ClientMessage huge;
  huge.mutable_module_load()->set_image(std::string(kMaxFrameBytes, 'x'));
  EXPECT_EQ(connection_->Call(std::move(huge)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Answer(daemon_->Next(), DaemonMessage());
  EXPECT_TRUE(answer.get().ok());
}

TEST_F(ConnectionTest, DownloadedBytesArriveBeforeTheAnswerThatFollowsThem) {
  std::vector<uint8_t> destination(5, 0);
  ASSERT_TRUE(connection_->PostDownload(DownloadCommand(1, 5), destination.data()).ok());
  auto answer = CallAsync(SyncRequest(1));
  const ClientMessage request = daemon_->Next();
  ASSERT_EQ(request.batch_size(), 1);
  daemon_->Send(DownloadComplete(request.batch(0), "hello"));
  daemon_->Answer(request, DaemonMessage());
  ASSERT_TRUE(answer.get().ok());
  EXPECT_EQ(std::string(destination.begin(), destination.end()), "hello");
}

TEST_F(ConnectionTest, WaitForDownloadsSynchronizesEachStreamWithDownloadsInFlight) {
  std::vector<uint8_t> destination(2, 0);
  ASSERT_TRUE(connection_->PostDownload(DownloadCommand(1, 1), &destination[0]).ok());
  ASSERT_TRUE(connection_->PostDownload(DownloadCommand(2, 1), &destination[1]).ok());
  auto waited = std::async(std::launch::async, [&] { return connection_->WaitForDownloads(); });
  const ClientMessage first = daemon_->Next();
  ASSERT_EQ(first.batch_size(), 2);
  EXPECT_EQ(first.stream_synchronize().stream(), 1u);
  daemon_->Send(DownloadComplete(first.batch(1), "b"));
  daemon_->Send(DownloadComplete(first.batch(0), "a"));
  daemon_->Answer(first, DaemonMessage());
  const ClientMessage second = daemon_->Next();
  EXPECT_EQ(second.stream_synchronize().stream(), 2u);
  EXPECT_EQ(waited.wait_for(kShortWhile), std::future_status::timeout);
  daemon_->Answer(second, DaemonMessage());
  EXPECT_TRUE(waited.get().ok());
  EXPECT_EQ(std::string(destination.begin(), destination.end()), "ab");
}

TEST_F(ConnectionTest, WaitForDownloadsWithNonePendingReturnsAtOnce) {
  EXPECT_TRUE(connection_->WaitForDownloads().ok());
}

TEST_F(ConnectionTest, ADownloadOfTheWrongSizeEndsTheConnection) {
  std::vector<uint8_t> destination(4, 0);
  ASSERT_TRUE(connection_->PostDownload(DownloadCommand(1, 4), destination.data()).ok());
  ASSERT_TRUE(connection_->Flush().ok());
  daemon_->Send(DownloadComplete(daemon_->Next().batch(0), "toolong"));
  ExpectLost(connection_->Call(SyncRequest(1)).status());
  EXPECT_EQ(destination, std::vector<uint8_t>(4, 0));
}

TEST_F(ConnectionTest, AnAnswerNoOneAskedForEndsTheConnection) {
  DaemonMessage stray;
  stray.set_request_id(999);
  daemon_->Send(stray);
  ExpectLost(connection_->Call(SyncRequest(1)).status());
}

class SharedMemoryConnectionTest : public ConnectionTest {
 protected:
  static constexpr uint64_t kBytes = 64 << 10;

  void SetUp() override {
    ConnectionTest::SetUp();
    auto attached = std::async(std::launch::async,
                               [&] { return connection_->AttachSharedMemory(kBytes); });
    UniqueFd fd;
    const ClientMessage attach = daemon_->Next(&fd);
    ASSERT_TRUE(attach.has_shm_attach());
    EXPECT_EQ(attach.shm_attach().size(), kBytes);
    absl::StatusOr<SharedMemory> memory = SharedMemory::Map(std::move(fd), kBytes);
    ASSERT_TRUE(memory.ok()) << memory.status();
    daemon_memory_.emplace(*std::move(memory));
    daemon_->Answer(attach, DaemonMessage());
    ASSERT_TRUE(attached.get().ok());
  }

  // A CopyHostToDevice on `stream` holding a new range of `size` bytes.
  ClientMessage Upload(uint64_t stream, uint64_t size) {
    ClientMessage command;
    command.mutable_copy_host_to_device()->set_stream(stream);
    command.mutable_copy_host_to_device()->set_size(size);
    absl::StatusOr<ShmRange> range = connection_->AllocateRange(size);
    EXPECT_TRUE(range.ok()) << range.status();
    if (range.ok()) *command.mutable_copy_host_to_device()->mutable_shm() = *range;
    return command;
  }

  void Release(const ShmRange& range) {
    DaemonMessage released;
    *released.mutable_shm_released()->mutable_range() = range;
    daemon_->Send(released);
  }

  std::optional<SharedMemory> daemon_memory_;
};

// Its pages are charged to the tenant, which touched them first, not to
// hald, which maps (and on a GPU pins) them.
TEST_F(SharedMemoryConnectionTest, TheTenantTouchedEveryPageBeforeSendingIt) {
  if (!testing::KernelPopulatesOnAdvice()) {
    GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  }
  EXPECT_EQ(testing::ResidentPages(*daemon_memory_),
            kBytes / static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
}

TEST_F(SharedMemoryConnectionTest, BothSidesSeeTheSameBytes) {
  ASSERT_TRUE(connection_->has_shared_memory());
  EXPECT_EQ(connection_->shared_memory_size(), kBytes);
  absl::StatusOr<ShmRange> range = connection_->AllocateRange(6);
  ASSERT_TRUE(range.ok());
  std::memcpy(connection_->shared_memory_data() + range->offset(), "shared", 6);
  EXPECT_EQ(std::memcmp(daemon_memory_->data() + range->offset(), "shared", 6), 0);
}

TEST_F(SharedMemoryConnectionTest, AFullMemorySendsTheBatchAndWaitsForARelease) {
  ASSERT_TRUE(connection_->Post(Upload(1, kBytes)).ok());
  auto next = std::async(std::launch::async, [&] { return connection_->AllocateRange(64); });
  // The upload holding the memory reaches the daemon although no request
  // went out.
  const ClientMessage frame = daemon_->Next();
  ASSERT_EQ(frame.batch_size(), 1);
  EXPECT_EQ(next.wait_for(kShortWhile), std::future_status::timeout);
  Release(frame.batch(0).copy_host_to_device().shm());
  absl::StatusOr<ShmRange> range = next.get();
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->offset(), 0u);
}

TEST_F(SharedMemoryConnectionTest, ADownloadsRangeIsFreedWhenItsBytesArrive) {
  ClientMessage command = DownloadCommand(1, kBytes);
  *command.mutable_copy_device_to_host()->mutable_shm() = *connection_->AllocateRange(kBytes);
  std::vector<uint8_t> destination(kBytes, 0);
  ASSERT_TRUE(connection_->PostDownload(std::move(command), destination.data()).ok());
  auto answer = CallAsync(SyncRequest(1));
  const ClientMessage request = daemon_->Next();
  std::memset(daemon_memory_->data(), 0x5a, kBytes);
  DaemonMessage complete;
  complete.mutable_download_complete()->set_download(
      request.batch(0).copy_device_to_host().download());
  *complete.mutable_download_complete()->mutable_shm() = request.batch(0).copy_device_to_host().shm();
  daemon_->Send(complete);
  // Taken before the answer: the range came back with the bytes.
  EXPECT_TRUE(connection_->AllocateRange(kBytes).ok());
  daemon_->Answer(request, DaemonMessage());
  ASSERT_TRUE(answer.get().ok());
  EXPECT_EQ(destination, std::vector<uint8_t>(kBytes, 0x5a));
}

TEST_F(SharedMemoryConnectionTest, AStreamReportedCompleteGivesBackRangesNoNoticeCameFor) {
  // Commands the daemon refused send no notice; their ranges come back once
  // their stream is reported complete, and only theirs.
  ClientMessage download = DownloadCommand(1, kBytes / 4);
  *download.mutable_copy_device_to_host()->mutable_shm() = *connection_->AllocateRange(kBytes / 4);
  std::vector<uint8_t> destination(kBytes / 4, 0);
  ASSERT_TRUE(connection_->PostDownload(std::move(download), destination.data()).ok());
  ASSERT_TRUE(connection_->Post(Upload(1, kBytes / 4)).ok());
  ASSERT_TRUE(connection_->Post(Upload(2, kBytes / 2)).ok());
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Answer(daemon_->Next(), DaemonMessage());
  ASSERT_TRUE(answer.get().ok());
  EXPECT_TRUE(connection_->AllocateRange(kBytes / 2).ok());
  auto blocked = std::async(std::launch::async, [&] { return connection_->AllocateRange(64); });
  EXPECT_EQ(blocked.wait_for(kShortWhile), std::future_status::timeout);
  daemon_->Close();
  ExpectLost(blocked.get().status());
}

TEST_F(SharedMemoryConnectionTest, AFailedSynchronizeGivesBackNothing) {
  ASSERT_TRUE(connection_->Post(Upload(1, kBytes)).ok());
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Send(ErrorAnswer(daemon_->Next(), absl::StatusCode::kUnavailable, "lost device"));
  EXPECT_EQ(answer.get().status().code(), absl::StatusCode::kUnavailable);
  auto blocked = std::async(std::launch::async, [&] { return connection_->AllocateRange(64); });
  EXPECT_EQ(blocked.wait_for(kShortWhile), std::future_status::timeout);
  daemon_->Close();
  ExpectLost(blocked.get().status());
}

TEST_F(SharedMemoryConnectionTest, AReleaseOfARangeNoUploadHoldsEndsTheConnection) {
  absl::StatusOr<ShmRange> range = connection_->AllocateRange(128);
  ASSERT_TRUE(range.ok());
  Release(*range);
  ExpectLost(connection_->Call(SyncRequest(1)).status());
}

TEST_F(SharedMemoryConnectionTest, AChunkLargerThanTheMemoryIsInternal) {
  EXPECT_EQ(connection_->AllocateRange(kBytes + 1).status().code(), absl::StatusCode::kInternal);
}

TEST_F(ConnectionTest, TheDaemonMayRefuseSharedMemory) {
  auto attached = std::async(std::launch::async,
                             [&] { return connection_->AttachSharedMemory(64 << 10); });
  daemon_->Send(ErrorAnswer(daemon_->Next(), absl::StatusCode::kInvalidArgument, "unsealed"));
  EXPECT_EQ(attached.get().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(connection_->has_shared_memory());
}

// --- A daemon that goes away ---

TEST_F(ConnectionTest, WaitersAndLaterCallsGetUnavailableWhenTheDaemonDies) {
  auto answer = CallAsync(SyncRequest(1));
  daemon_->Next();
  std::vector<uint8_t> destination(4, 0);
  daemon_->Close();
  ExpectLost(answer.get().status());
  ExpectLost(connection_->PostDownload(DownloadCommand(1, 4), destination.data()));
  ExpectLost(connection_->WaitForDownloads());
  ExpectLost(connection_->Post(FillCommand(1)));
  ExpectLost(connection_->Call(SyncRequest(1)).status());
}

TEST_F(SharedMemoryConnectionTest, AWaitForMemoryEndsWhenTheDaemonDies) {
  ASSERT_TRUE(connection_->AllocateRange(kBytes).ok());
  auto next = std::async(std::launch::async, [&] { return connection_->AllocateRange(64); });
  EXPECT_EQ(next.wait_for(kShortWhile), std::future_status::timeout);
  daemon_->Close();
  ExpectLost(next.get().status());
}

// A connection whose Welcome offers cross-memory attach (hald's pid 4242).
std::pair<std::unique_ptr<Connection>, std::unique_ptr<FakePeer>> OfferedConnection() {
  auto [client, daemon] = ConnectedPair();
  DaemonMessage welcome = WelcomeMessage(3);
  welcome.mutable_welcome()->set_cross_memory_pid(4242);
  daemon->Send(welcome);
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::OverSocket(std::move(client), "hald at fake", "");
  EXPECT_TRUE(connection.ok()) << connection.status();
  daemon->Next();  // Hello
  return {connection.ok() ? *std::move(connection) : nullptr, std::move(daemon)};
}

TEST(ConnectionCrossMemory, WithoutTheOfferNothingIsAsked) {
  auto [client, daemon] = ConnectedPair();
  daemon->Send(WelcomeMessage(3));
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::OverSocket(std::move(client), "hald at fake", "");
  ASSERT_TRUE(connection.ok()) << connection.status();
  EXPECT_EQ((*connection)->AttachCrossMemory().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*connection)->has_cross_memory());
}

TEST(ConnectionCrossMemory, TheRequestNamesThisProcessAndACanaryItHolds) {
  auto [connection, daemon] = OfferedConnection();
  ASSERT_TRUE(connection);
  // clang 14 cannot capture a structured binding.
  Connection* attaching = connection.get();
  auto attached =
      std::async(std::launch::async, [attaching] { return attaching->AttachCrossMemory(); });
  const ClientMessage request = daemon->Next();
  ASSERT_TRUE(request.has_cross_memory_attach());
  const v1::CrossMemoryAttach& attach = request.cross_memory_attach();
  EXPECT_EQ(attach.pid(), static_cast<uint64_t>(getpid()));
  ASSERT_FALSE(attach.canary().empty());
  EXPECT_LE(attach.canary().size(), kMaxCrossMemoryCanaryBytes);
  EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(attach.canary_address()),
                        attach.canary().data(), attach.canary().size()),
            0);
  daemon->Answer(request, DaemonMessage());
  ASSERT_TRUE(attached.get().ok());
  EXPECT_TRUE(connection->has_cross_memory());

  // A copy then names this process's address, in one command.
  std::vector<uint8_t> bytes(1 << 20, 9);
  ASSERT_TRUE(Upload(*connection, 1, bytes.data(), 2, 0, bytes.size()).ok());
  ASSERT_TRUE(connection->Flush().ok());
  const ClientMessage frame = daemon->Next();
  ASSERT_EQ(frame.batch_size(), 1);
  const v1::CopyHostToDevice& copy = frame.batch(0).copy_host_to_device();
  EXPECT_EQ(copy.tenant_address(), reinterpret_cast<uintptr_t>(bytes.data()));
  EXPECT_EQ(copy.size(), bytes.size());
}

TEST(ConnectionCrossMemory, ARefusalKeepsCopiesOffIt) {
  auto [connection, daemon] = OfferedConnection();
  ASSERT_TRUE(connection);
  // clang 14 cannot capture a structured binding.
  Connection* attaching = connection.get();
  auto attached =
      std::async(std::launch::async, [attaching] { return attaching->AttachCrossMemory(); });
  const ClientMessage request = daemon->Next();
  daemon->Send(ErrorAnswer(request, absl::StatusCode::kPermissionDenied, "ptrace refused"));
  EXPECT_EQ(attached.get().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(connection->has_cross_memory());
  // Small enough for the socket's buffer: the flush returns before the fake
  // daemon reads.
  std::vector<uint8_t> bytes(16 << 10, 9);
  ASSERT_TRUE(Upload(*connection, 1, bytes.data(), 2, 0, bytes.size()).ok());
  ASSERT_TRUE(connection->Flush().ok());
  const ClientMessage frame = daemon->Next();
  ASSERT_GE(frame.batch_size(), 1);
  EXPECT_TRUE(frame.batch(0).copy_host_to_device().has_inline_data()) << "no shared memory here";
}

}  // namespace
}  // namespace hal::remote
