// Frames no remote driver sends: garbage, truncated frames, lengths past the
// limit, a wrong first message, another protocol version, and well-formed
// protobuf that breaks the protocol's structure. hald closes such a session
// (and only it); the fixture checks after each test that it still serves.
#include <sys/socket.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "gtest/gtest.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using remote::v1::ClientMessage;
using FramesTest = HostileDaemonTest;

// Connects, writes `bytes` without saying Hello, and expects the daemon to
// close the connection.
void ExpectClosedAfterRawBytes(const std::string& bytes) {
  absl::StatusOr<remote::UniqueFd> fd = ConnectRaw(FramesTest::endpoint());
  ASSERT_TRUE(fd.ok()) << fd.status();
  ASSERT_TRUE(WriteAll(fd->get(), bytes).ok());
  const absl::Status closed = WaitForClose(fd->get());
  EXPECT_TRUE(closed.ok()) << closed;
}

TEST_F(FramesTest, GarbagePayloadClosesTheSession) {
  ExpectClosedAfterRawBytes(FrameHeader(64) + std::string(64, '\xff'));
}

TEST_F(FramesTest, AnHttpRequestClosesTheSession) {
  // "GET " read as a length is far past kMaxFrameBytes.
  ExpectClosedAfterRawBytes("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

TEST_F(FramesTest, ALengthPastTheLimitClosesTheSessionWithoutWaitingForTheBytes) {
  ExpectClosedAfterRawBytes(FrameHeader(static_cast<uint32_t>(remote::kMaxFrameBytes + 1)));
  ExpectClosedAfterRawBytes(FrameHeader(0xffffffffu));
}

// VmRSS of `pid`, in bytes (0 when unreadable).
uint64_t ResidentBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    uint64_t kib = 0;
    if (absl::StartsWith(line, "VmRSS:") &&
        absl::SimpleAtoi(
            absl::StripAsciiWhitespace(absl::StripSuffix(absl::StripPrefix(line, "VmRSS:"), "kB")),
            &kib)) {
      return kib << 10;
    }
  }
  return 0;
}

TEST_F(FramesTest, FramesClaimingTheLargestLengthReserveNoMemoryForIt) {
  // 64 connections announce the largest frame (64 MiB) and send 16 bytes of
  // it: a daemon that reserved what they announce would take 4 GiB.
  const uint64_t before = ResidentBytes(daemon_pid());
  ASSERT_GT(before, 0u);
  std::vector<remote::UniqueFd> announcers;
  for (int i = 0; i < 64; ++i) {
    absl::StatusOr<remote::UniqueFd> fd = ConnectRaw(endpoint());
    ASSERT_TRUE(fd.ok()) << fd.status();
    ASSERT_TRUE(WriteAll(fd->get(), FrameHeader(static_cast<uint32_t>(remote::kMaxFrameBytes)) +
                                        std::string(16, '\0'))
                    .ok());
    announcers.push_back(*std::move(fd));
  }
  // Served meanwhile, which also gives the daemon time to read what came.
  std::unique_ptr<RawSession> tenant = OpenTenant(kDeviceA);
  ASSERT_NE(tenant, nullptr);
  const absl::Status served = tenant->RoundTrip(Pattern(4096, 8));
  EXPECT_TRUE(served.ok()) << served;
  const uint64_t after = ResidentBytes(daemon_pid());
  EXPECT_LT(after, before + (256ull << 20))
      << "hald grew from " << before << " to " << after << " bytes for frames that never came";
}

TEST_F(FramesTest, AZeroLengthFrameClosesTheSession) { ExpectClosedAfterRawBytes(FrameHeader(0)); }

TEST_F(FramesTest, AFrameCutShortByTheEndOfTheConnectionClosesTheSession) {
  for (const std::string& prefix :
       {FrameHeader(100) + std::string(10, 'x'), std::string("\x10\x00", 2)}) {
    absl::StatusOr<remote::UniqueFd> fd = ConnectRaw(endpoint());
    ASSERT_TRUE(fd.ok()) << fd.status();
    ASSERT_TRUE(WriteAll(fd->get(), prefix).ok());
    ASSERT_EQ(shutdown(fd->get(), SHUT_WR), 0);
    const absl::Status closed = WaitForClose(fd->get());
    EXPECT_TRUE(closed.ok()) << closed;
  }
}

TEST_F(FramesTest, AStalledHalfFrameDoesNotBlockOtherSessions) {
  std::unique_ptr<RawSession> stalled = OpenTenant(kDeviceA);
  ASSERT_NE(stalled, nullptr);
  // Half a header, and half a frame, left hanging on two connections.
  ASSERT_TRUE(stalled->SendRaw(FrameHeader(1000) + std::string(500, '\0')).ok());
  absl::StatusOr<remote::UniqueFd> half_header = ConnectRaw(endpoint());
  ASSERT_TRUE(half_header.ok());
  ASSERT_TRUE(WriteAll(half_header->get(), std::string("\x08", 1)).ok());
  // Meanwhile another tenant of the same virtual device is served.
  std::unique_ptr<RawSession> tenant = OpenTenant(kDeviceA);
  ASSERT_NE(tenant, nullptr);
  const absl::Status served = tenant->RoundTrip(Pattern(4096, 7));
  EXPECT_TRUE(served.ok()) << served;
}

TEST_F(FramesTest, ARequestBeforeHelloIsRefused) {
  std::vector<ClientMessage> first_messages(3);
  first_messages[0].mutable_attach()->set_virtual_device(kDeviceA);
  first_messages[1].mutable_buffer_allocate()->set_size(4096);
  first_messages[2].mutable_list_devices();
  for (ClientMessage& message : first_messages) {
    std::unique_ptr<RawSession> session = Connect(endpoint());
    ASSERT_NE(session, nullptr);
    const absl::Status status = session->Request(message);
    // Refused with an answer, or by closing the connection.
    EXPECT_FALSE(status.ok()) << "hald served message body " << message.body_case()
                              << " that came before Hello";
  }
}

TEST_F(FramesTest, AnotherMajorVersionIsRefusedNamingBoth) {
  std::unique_ptr<RawSession> session = Connect(endpoint());
  ASSERT_NE(session, nullptr);
  const absl::Status refused = session->Hello(remote::kProtocolMajor + 98);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(refused.message().find(absl::StrCat(remote::kProtocolMajor + 98)), std::string::npos)
      << refused;
  EXPECT_NE(refused.message().find(absl::StrCat(remote::kProtocolMajor)), std::string::npos)
      << refused;
  const absl::Status closed = session->WaitForClose();
  EXPECT_TRUE(closed.ok()) << closed;
}

// Well-formed protobuf that breaks the protocol's structure (the decoder's
// checks): each closes the session that sent it, after Hello and Attach.
struct StructuralCase {
  std::string name;
  std::function<void(ClientMessage&)> build;
};

std::vector<StructuralCase> StructuralCases() {
  return {
      {"a batch entry with a request id",
       [](ClientMessage& m) {
         ClientMessage* entry = m.add_batch();
         entry->set_request_id(5);
         entry->mutable_stream_synchronize()->set_stream(1);
       }},
      {"a nested batch",
       [](ClientMessage& m) { m.add_batch()->add_batch()->mutable_fill()->set_stream(1); }},
      {"a batch of 4097 entries",
       [](ClientMessage& m) {
         for (int i = 0; i < 4097; ++i) m.add_batch()->mutable_fill()->set_stream(1);
       }},
      {"a dispatch with a 2-D grid",
       [](ClientMessage& m) {
         remote::v1::Dispatch& dispatch = *m.add_batch()->mutable_dispatch();
         dispatch.set_stream(1);
         dispatch.add_workgroup_count(1);
         dispatch.add_workgroup_count(1);
       }},
      {"a dispatch with 17 bindings",
       [](ClientMessage& m) {
         remote::v1::Dispatch& dispatch = *m.add_batch()->mutable_dispatch();
         for (int i = 0; i < 3; ++i) dispatch.add_workgroup_count(1);
         for (int i = 0; i < 17; ++i) dispatch.add_bindings()->set_buffer(1);
       }},
      {"a dispatch with 132 bytes of push constants",
       [](ClientMessage& m) {
         remote::v1::Dispatch& dispatch = *m.add_batch()->mutable_dispatch();
         for (int i = 0; i < 3; ++i) dispatch.add_workgroup_count(1);
         dispatch.set_push_constants(std::string(132, 'p'));
       }},
      {"a kernel signature with 4 workgroup sizes",
       [](ClientMessage& m) {
         m.set_request_id(99);
         remote::v1::KernelSignature& signature = *m.mutable_kernel_get()->mutable_signature();
         for (int i = 0; i < 4; ++i) signature.add_workgroup_size(1);
       }},
  };
}

TEST_F(FramesTest, StructurallyBrokenMessagesCloseTheSession) {
  for (const StructuralCase& c : StructuralCases()) {
    SCOPED_TRACE(c.name);
    std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
    ASSERT_NE(session, nullptr);
    ClientMessage message;
    c.build(message);
    // Past the channel (which may check what it sends): the frame as encoded.
    ASSERT_TRUE(session->SendRaw(remote::EncodeFrame(message)).ok());
    const absl::Status closed = session->WaitForClose();
    EXPECT_TRUE(closed.ok()) << closed;
  }
}

TEST_F(FramesTest, AnUnknownFieldOrEmptyBodyIsNotServed) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  // Field 1000, varint: unknown to this protocol version, and no body.
  const std::string payload = std::string("\xc0\x3e\x01", 3) + std::string("\x08\x07", 2);
  ASSERT_TRUE(session->SendRaw(FrameHeader(static_cast<uint32_t>(payload.size())) + payload).ok());
  // Refused with an answer to request 7, or by closing; never crashing.
  remote::v1::DaemonMessage answer;
  const absl::Status received = session->channel().ReceiveDaemonMessage(&answer);
  if (received.ok()) {
    EXPECT_EQ(answer.request_id(), 7u);
    EXPECT_NE(answer.status().code(), 0) << "hald answered a message with no body with success";
  }
}

}  // namespace
}  // namespace hal::testing
