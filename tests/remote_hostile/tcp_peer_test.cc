// A peer on TCP, where SO_PEERCRED says nothing and the pool file grants no
// token: it may attach to no virtual device and read no status, whatever
// virtual device it names; garbage closes its session as on the Unix socket.
#include <string>

#include "gtest/gtest.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using remote::v1::ClientMessage;
using TcpPeerTest = HostileDaemonTest;

TEST_F(TcpPeerTest, APeerWithoutATokenAttachesToNothing) {
  for (const char* device : {kDeviceA, kDeviceB}) {
    SCOPED_TRACE(device);
    std::unique_ptr<RawSession> session = Connect(tcp_endpoint());
    ASSERT_NE(session, nullptr);
    const absl::Status hello = session->Hello(remote::kProtocolMajor);
    if (!hello.ok()) {
      // Refused at the door: as good as refused at Attach.
      EXPECT_EQ(hello.code(), absl::StatusCode::kPermissionDenied) << hello;
      continue;
    }
    const absl::Status attached = session->Attach(device);
    EXPECT_EQ(attached.code(), absl::StatusCode::kPermissionDenied) << attached;
  }
}

TEST_F(TcpPeerTest, APeerWithAWrongTokenReadsNoStatus) {
  std::unique_ptr<RawSession> session = Connect(tcp_endpoint());
  ASSERT_NE(session, nullptr);
  ClientMessage hello;
  hello.mutable_hello()->set_protocol_major(remote::kProtocolMajor);
  hello.mutable_hello()->set_token("guessed");
  ASSERT_TRUE(session->Call(hello).ok());
  ClientMessage status;
  status.mutable_pool_status();
  const absl::Status read = session->Request(status);
  EXPECT_FALSE(read.ok()) << "a TCP peer read the pool's status";
  EXPECT_TRUE(read.code() == absl::StatusCode::kPermissionDenied ||
              read.code() == absl::StatusCode::kUnavailable)
      << read;
}

TEST_F(TcpPeerTest, GarbageClosesTheSession) {
  std::unique_ptr<RawSession> session = Connect(tcp_endpoint());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->SendRaw(FrameHeader(32) + std::string(32, '\x80')).ok());
  const absl::Status closed = session->WaitForClose();
  EXPECT_TRUE(closed.ok()) << closed;
}

}  // namespace
}  // namespace hal::testing
