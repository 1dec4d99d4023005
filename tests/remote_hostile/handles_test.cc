// Valid frames naming handles the session does not own: another session's
// buffer, unknown, duplicate, freed and wrong-kind handles, and requests out
// of order (before Attach, a second Attach). Each is InvalidArgument (or, for
// the order, refused) and reaches no other session's object: the fixture's
// bystander holds buffer 1 and stream 1 on virtual device "a" throughout.
#include <string>

#include "gtest/gtest.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using remote::v1::ClientMessage;
using HandlesTest = HostileDaemonTest;

// A session on `virtual_device` that owns only stream 1 (no buffer).
std::unique_ptr<RawSession> OpenWithoutBuffers(const std::string& virtual_device) {
  absl::StatusOr<std::unique_ptr<RawSession>> session =
      RawSession::Open(HandlesTest::endpoint(), virtual_device);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return nullptr;
  const absl::Status created = (*session)->CreateStream(1);
  EXPECT_TRUE(created.ok()) << created;
  return created.ok() ? *std::move(session) : nullptr;
}

TEST_F(HandlesTest, AnotherSessionsBufferIsInvalidArgumentFromEitherVirtualDevice) {
  for (const char* device : {kDeviceA, kDeviceB}) {
    SCOPED_TRACE(device);
    std::unique_ptr<RawSession> thief = OpenWithoutBuffers(device);
    ASSERT_NE(thief, nullptr);
    // The bystander's handle, read, written and freed through this session.
    absl::StatusOr<std::string> read = thief->Download(1, kBystanderBuffer, 0, kBystanderBytes);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << read.status();
    ASSERT_TRUE(thief->Upload(1, kBystanderBuffer, 0, std::string(64, '\0')).ok());
    const absl::Status written = thief->Synchronize(1);
    EXPECT_EQ(written.code(), absl::StatusCode::kInvalidArgument) << written;
    ClientMessage free;
    free.mutable_buffer_free()->set_buffer(kBystanderBuffer);
    ASSERT_TRUE(thief->Send(free).ok());
    ClientMessage query;
    query.mutable_stream_query()->set_stream(1);
    const absl::Status freed = thief->Request(query);
    EXPECT_EQ(freed.code(), absl::StatusCode::kInvalidArgument)
        << "a free of a handle this session does not own was not reported: " << freed;
    // Closing the session frees what it owns, which is not the bystander's.
  }
}

TEST_F(HandlesTest, UnknownHandlesAreInvalidArgument) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->Synchronize(42).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage event_query;
  event_query.mutable_event_query()->set_event(42);
  EXPECT_EQ(session->Request(event_query).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage kernel_get;
  kernel_get.mutable_kernel_get()->set_kernel(1);
  kernel_get.mutable_kernel_get()->set_module(42);
  kernel_get.mutable_kernel_get()->set_name("noop");
  for (int i = 0; i < 3; ++i) {
    kernel_get.mutable_kernel_get()->mutable_signature()->add_workgroup_size(1);
  }
  EXPECT_EQ(session->Request(kernel_get).code(), absl::StatusCode::kInvalidArgument);
  // A dispatch of a kernel that does not exist, on a stream that does.
  ClientMessage dispatch;
  remote::v1::Dispatch& body = *dispatch.mutable_dispatch();
  body.set_stream(1);
  body.set_kernel(42);
  for (int i = 0; i < 3; ++i) body.add_workgroup_count(1);
  ASSERT_TRUE(session->Send(dispatch).ok());
  EXPECT_EQ(session->Synchronize(1).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HandlesTest, DuplicateHandlesAreInvalidArgument) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);  // buffer 1, stream 1
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->Allocate(1, 4096).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(session->CreateStream(1).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage event;
  event.mutable_event_create()->set_event(5);
  ASSERT_TRUE(session->Request(event).ok());
  EXPECT_EQ(session->Request(event).code(), absl::StatusCode::kInvalidArgument);
  // The first buffer 1 is untouched by the refused second one.
  const absl::Status served = session->RoundTrip(Pattern(4096, 3));
  EXPECT_TRUE(served.ok()) << served;
}

TEST_F(HandlesTest, AFreedBufferIsInvalidArgument) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  ClientMessage free;
  free.mutable_buffer_free()->set_buffer(1);
  ASSERT_TRUE(session->Send(free).ok());
  absl::StatusOr<std::string> read = session->Download(1, 1, 0, 16);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << read.status();
}

TEST_F(HandlesTest, WrongKindHandlesAreInvalidArgument) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);  // buffer 1, stream 1
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->Allocate(7, 4096).ok());
  ClientMessage event;
  event.mutable_event_create()->set_event(9);
  ASSERT_TRUE(session->Request(event).ok());
  // Buffer 7 as a stream; event 9 as the source of a copy; buffer 7 as an event.
  EXPECT_EQ(session->Synchronize(7).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage copy;
  remote::v1::CopyBuffer& body = *copy.mutable_copy_buffer();
  body.set_stream(1);
  body.set_src(9);
  body.set_dst(1);
  body.set_size(16);
  ASSERT_TRUE(session->Send(copy).ok());
  EXPECT_EQ(session->Synchronize(1).code(), absl::StatusCode::kInvalidArgument);
  ClientMessage event_query;
  event_query.mutable_event_query()->set_event(7);
  EXPECT_EQ(session->Request(event_query).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HandlesTest, RequestsOutOfOrderAreRefused) {
  std::unique_ptr<RawSession> unattached = Connect(endpoint());
  ASSERT_NE(unattached, nullptr);
  ASSERT_TRUE(unattached->Hello(remote::kProtocolMajor).ok());
  EXPECT_FALSE(unattached->Allocate(1, 4096).ok()) << "an allocation before Attach was served";

  std::unique_ptr<RawSession> attached = OpenTenant(kDeviceB);
  ASSERT_NE(attached, nullptr);
  EXPECT_FALSE(attached->Attach(kDeviceA).ok()) << "a second Attach on one connection was served";

  std::unique_ptr<RawSession> nowhere = Connect(endpoint());
  ASSERT_NE(nowhere, nullptr);
  ASSERT_TRUE(nowhere->Hello(remote::kProtocolMajor).ok());
  EXPECT_FALSE(nowhere->Attach("no-such-virtual-device").ok());
}

}  // namespace
}  // namespace hal::testing
