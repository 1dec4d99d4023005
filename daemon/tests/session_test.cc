// Sessions over real sockets: the handshake, access rules, handle misuse,
// sticky one-way failures, and what a closing session gives back.
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "hal/driver/hal_driver.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

class SessionTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer(DefaultPoolFile());
  }
};

TEST_F(SessionTest, WelcomeNamesTheSessionAndTheFrameLimit) {
  std::unique_ptr<TestClient> first = Client(unix_endpoint());
  std::unique_ptr<TestClient> second = Client(unix_endpoint());
  ASSERT_TRUE(first && second);
  absl::StatusOr<DaemonMessage> one = first->Hello();
  absl::StatusOr<DaemonMessage> two = second->Hello();
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_TRUE(one->has_welcome());
  EXPECT_EQ(one->welcome().protocol_major(), remote::kProtocolMajor);
  EXPECT_EQ(one->welcome().max_frame_bytes(), remote::kMaxFrameBytes);
  EXPECT_THAT(one->welcome().daemon(), HasSubstr("hald "));
  EXPECT_NE(one->welcome().session(), two->welcome().session());
}

TEST_F(SessionTest, AnotherMajorVersionIsRefusedNamingBoth) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  absl::StatusOr<DaemonMessage> answer = client->Hello("", remote::kProtocolMajor + 1);
  ASSERT_TRUE(answer.ok()) << answer.status();
  const absl::Status refusal = remote::FromWire(answer->status());
  EXPECT_EQ(refusal.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refusal.message(), HasSubstr(absl::StrCat(remote::kProtocolMajor + 1, ".")));
  EXPECT_THAT(refusal.message(), HasSubstr(absl::StrCat(remote::kProtocolMajor, ".")));
  DaemonMessage next;
  EXPECT_EQ(client->channel().ReceiveDaemonMessage(&next).code(), absl::StatusCode::kUnavailable)
      << "the connection stays open after a refusal";
}

TEST_F(SessionTest, AFirstMessageOtherThanHelloIsRefused) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Call(ListDevicesMessage()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionTest, TheDaemonsOwnUserMayAttachToEveryVirtualDevice) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Hello().ok());
  absl::StatusOr<DaemonMessage> devices = client->Request(ListDevicesMessage());
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->device_list().devices_size(), 2);
  EXPECT_EQ(devices->device_list().devices(0).virtual_device(), "a");
  EXPECT_EQ(devices->device_list().devices(0).total_memory_bytes(), 64u << 20);
  EXPECT_EQ(devices->device_list().devices(0).physical_device(), "cpu:0");
  // Native kernels only where the pool file allows them.
  EXPECT_THAT(devices->device_list().devices(0).kernel_formats(), HasSubstr("cpu-elf"));
  EXPECT_THAT(devices->device_list().devices(1).kernel_formats(),
              ::testing::Not(HasSubstr("cpu-elf")));
  EXPECT_TRUE(client->Call(AttachMessage("b")).ok());
}

TEST_F(SessionTest, ATcpPeerWithoutATokenMayDoNothing) {
  std::unique_ptr<TestClient> client = Client(tcp_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Hello().ok());
  absl::StatusOr<DaemonMessage> devices = client->Request(ListDevicesMessage());
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->device_list().devices_size(), 0);
  const absl::Status denied = client->Call(AttachMessage("a"));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.message(), HasSubstr("tcp 127.0.0.1"));
  EXPECT_THAT(denied.message(), HasSubstr("virtual device a"));
  ClientMessage status;
  status.mutable_pool_status();
  EXPECT_EQ(client->Call(std::move(status)).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(SessionTest, ATokenGrantsWhatItsRuleNames) {
  std::unique_ptr<TestClient> client = Client(tcp_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Hello("secret").ok());
  EXPECT_EQ(client->Call(AttachMessage("b")).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(client->Call(AttachMessage("a")).ok());
  EXPECT_EQ(client->Call(AttachMessage("a")).code(), absl::StatusCode::kFailedPrecondition)
      << "a connection is one context";
}

TEST_F(SessionTest, AReloadReplacesTheAccessRules) {
  folder_.Write("pool.json", absl::StrReplaceAll(
                                 DefaultPoolFile(),
                                 {{R"("virtual_devices": ["a"])", R"("virtual_devices": ["b"])"}}));
  server_->Reload();
  std::unique_ptr<TestClient> to_b = Client(tcp_endpoint());
  std::unique_ptr<TestClient> to_a = Client(tcp_endpoint());
  ASSERT_TRUE(to_a && to_b);
  EXPECT_TRUE(to_b->Open("b", "secret").ok());
  EXPECT_EQ(to_a->Open("a", "secret").code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(SessionTest, AttachingToAnUnknownVirtualDeviceIsNotFound) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Open("nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(SessionTest, WorkBeforeAttachIsFailedPrecondition) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Hello().ok());
  EXPECT_EQ(client->Call(AllocateMessage(1, 4096)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client->Call(StreamCreateMessage(1)).code(), absl::StatusCode::kFailedPrecondition);
}

// Every hal_stream_priority makes a queue (cpu:0 treats them alike); another
// value is refused and leaves the handle free.
TEST_F(SessionTest, StreamsTakeEveryPriorityAndRefuseAnUnknownOne) {
  std::unique_ptr<TestClient> client = Attached("a");
  ASSERT_TRUE(client);
  uint64_t handle = 1;
  for (uint32_t priority :
       {HAL_STREAM_PRIORITY_NORMAL, HAL_STREAM_PRIORITY_LOW, HAL_STREAM_PRIORITY_HIGH}) {
    ClientMessage create = StreamCreateMessage(handle++);
    create.mutable_stream_create()->set_priority(priority);
    EXPECT_TRUE(client->Call(create).ok()) << "priority " << priority;
  }
  ClientMessage unknown = StreamCreateMessage(handle);
  unknown.mutable_stream_create()->set_priority(3);
  const absl::Status refused = client->Call(unknown);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("no stream priority 3"));
  EXPECT_TRUE(client->Call(StreamCreateMessage(handle)).ok()) << "the handle stayed free";
}

TEST_F(SessionTest, MemoryInfoIsTheQuotaAndWhatIsLeftOfIt) {
  std::unique_ptr<TestClient> client = Attached("b");
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AllocateMessage(1, 1 << 20)).ok());
  ClientMessage info;
  info.mutable_memory_info()->set_virtual_device("b");
  absl::StatusOr<DaemonMessage> answer = client->Request(std::move(info));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->memory_info().total_bytes(), 16u << 20);
  EXPECT_EQ(answer->memory_info().free_bytes(),
            (16u << 20) - FindVirtualDevice("b")->memory_used());
  ClientMessage unknown;
  unknown.mutable_memory_info()->set_virtual_device("nope");
  EXPECT_EQ(client->Call(std::move(unknown)).code(), absl::StatusCode::kNotFound);
}

TEST_F(SessionTest, HandlesAreCheckedAndPerSession) {
  std::unique_ptr<TestClient> owner = Attached();
  std::unique_ptr<TestClient> other = Attached();
  ASSERT_TRUE(owner && other);
  EXPECT_EQ(owner->Call(AllocateMessage(0, 4096)).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(owner->Call(AllocateMessage(7, 4096)).ok());
  EXPECT_EQ(owner->Call(AllocateMessage(7, 4096)).code(), absl::StatusCode::kInvalidArgument)
      << "a handle in use";
  ASSERT_TRUE(other->Call(StreamCreateMessage(1)).ok());
  // Buffer 7 is the owner's: to the other session it does not exist.
  ASSERT_TRUE(other->SendOneWay(FillMessage(1, 7, 4096, 1)).ok());
  const absl::Status foreign = other->Call(SynchronizeMessage(1));
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(foreign.message(), HasSubstr("no buffer with handle 7"));
  // A stream handle used as a buffer handle: wrong kind.
  ASSERT_TRUE(owner->Call(StreamCreateMessage(8)).ok());
  ASSERT_TRUE(owner->SendOneWay(FillMessage(8, 8, 4096, 1)).ok());
  EXPECT_EQ(owner->Call(SynchronizeMessage(8)).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SessionTest, OneWayFailuresAreStickyOnTheirStream) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(3)).ok());
  // Past the end of the buffer: refused by the queue's validation.
  ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 8192, 0)).ok());
  ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4096, 0)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage query;
  query.mutable_stream_query()->set_stream(2);
  EXPECT_EQ(client->Call(query).code(), absl::StatusCode::kInvalidArgument) << "kept";
  EXPECT_TRUE(client->Call(SynchronizeMessage(3)).ok()) << "another stream is unaffected";
}

TEST_F(SessionTest, SynchronizeWithAFailureKeptStillWaitsForTheStreamsLaterWork) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4 << 20)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  // Past the end of the buffer: the stream keeps this failure, and the work
  // after it still runs.
  ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 8 << 20, 0)).ok());
  for (uint32_t value = 1; value <= 8; ++value) {
    ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4 << 20, value)).ok());
  }
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(2, 1, 16, 1)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(client->async().size(), 1u) << "synchronize answered before the stream's work ended";
  EXPECT_EQ(client->async()[0].download_complete().inline_data(),
            std::string("\x08\0\0\0\x08\0\0\0\x08\0\0\0\x08\0\0\0", 16));
}

TEST_F(SessionTest, AOneWayFailureNamingNoStreamFailsTheNextRequestOnce) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ClientMessage free_unknown;
  free_unknown.mutable_buffer_free()->set_buffer(99);
  ASSERT_TRUE(client->SendOneWay(free_unknown).ok());
  EXPECT_EQ(client->Call(StreamCreateMessage(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(client->Call(StreamCreateMessage(1)).ok());
}

TEST_F(SessionTest, BatchedCommandsRunInOrderBeforeTheRequest) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ClientMessage message = SynchronizeMessage(2);
  *message.add_batch() = FillMessage(2, 1, 4096, 0x01010101u);
  *message.add_batch() = FillMessage(2, 1, 4096, 0x02020202u);
  *message.add_batch() = DownloadMessage(2, 1, 4096, 5);
  absl::StatusOr<DaemonMessage> answer = client->Request(std::move(message));
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(remote::FromWire(answer->status()).ok());
  // The download's bytes came before the answer that says the stream is done.
  ASSERT_EQ(client->async().size(), 1u);
  const remote::v1::DownloadComplete& done = client->async().front().download_complete();
  EXPECT_EQ(done.download(), 5u);
  EXPECT_EQ(done.inline_data(), std::string(4096, '\x02'));
}

TEST_F(SessionTest, ClosingASessionReturnsItsCharges) {
  std::unique_ptr<TestClient> client = Attached("b");
  ASSERT_TRUE(client);
  for (uint64_t handle = 1; handle <= 3; ++handle) {
    ASSERT_TRUE(client->Call(AllocateMessage(handle, 1 << 20)).ok());
  }
  ASSERT_TRUE(client->Call(StreamCreateMessage(10)).ok());
  ASSERT_TRUE(client->SendOneWay(FillMessage(10, 1, 1 << 20, 7)).ok());
  EXPECT_GE(FindVirtualDevice("b")->memory_used(), 3u << 20);
  std::vector<SessionSnapshot> sessions = server_->context().sessions().Snapshot();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].virtual_device, "b");
  EXPECT_EQ(sessions[0].buffers, 3u);
  EXPECT_EQ(sessions[0].streams, 1u);
  EXPECT_GE(sessions[0].bytes_allocated, 3u << 20);
  client.reset();  // the connection closes, as when a tenant is killed
  ASSERT_TRUE(WaitForNoSessions());
  EXPECT_EQ(FindVirtualDevice("b")->memory_used(), 0u);
  // The whole quota is there for the next tenant.
  std::unique_ptr<TestClient> next = Attached("b");
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->Call(AllocateMessage(1, 16u << 20)).ok());
}

TEST_F(SessionTest, AMalformedFrameClosesOnlyThatSession) {
  std::unique_ptr<TestClient> good = Attached();
  ASSERT_TRUE(good);
  ASSERT_TRUE(good->Call(AllocateMessage(1, 4096)).ok());
  std::unique_ptr<TestClient> bad = Client(unix_endpoint());
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad->Hello().ok());
  const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4};  // a 2 GiB length
  ASSERT_EQ(send(bad->channel().fd(), garbage, sizeof(garbage), MSG_NOSIGNAL),
            static_cast<ssize_t>(sizeof(garbage)));
  DaemonMessage next;
  EXPECT_EQ(bad->channel().ReceiveDaemonMessage(&next).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(good->Call(AllocateMessage(2, 4096)).ok());
}

TEST_F(SessionTest, PoolStatusIsForPeersTheRulesAllow) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ClientMessage status;
  status.mutable_pool_status();
  absl::StatusOr<DaemonMessage> answer = client->Request(std::move(status));
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(remote::FromWire(answer->status()).ok());
  EXPECT_THAT(answer->pool_status().daemon_version(), HasSubstr("hald"));
}

}  // namespace
}  // namespace hal::daemon::testing
