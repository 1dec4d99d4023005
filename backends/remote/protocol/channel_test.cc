#include "backends/remote/protocol/channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/test_support.h"
#include "backends/remote/protocol/wire_version.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

using ::hal::remote::testing::SocketPair;

ClientMessage Hello(uint64_t request_id) {
  ClientMessage message;
  message.set_request_id(request_id);
  message.mutable_hello()->set_protocol_major(kProtocolMajor);
  message.mutable_hello()->set_client("channel test");
  return message;
}

// Writes raw bytes, as a hostile peer would.
void WriteRaw(int fd, const std::string& bytes) {
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

std::string Header(uint32_t length) {
  return std::string{static_cast<char>(length), static_cast<char>(length >> 8),
                     static_cast<char>(length >> 16), static_cast<char>(length >> 24)};
}

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  UniqueFd read_end, write_end;
};

TEST(RemoteProtocolChannel, RoundTripsMessagesBothWays) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  ASSERT_TRUE(client.Send(Hello(1)).ok());
  ClientMessage request;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&request).ok());
  EXPECT_EQ(request.request_id(), 1u);
  EXPECT_EQ(request.hello().client(), "channel test");

  DaemonMessage answer;
  answer.set_request_id(1);
  answer.mutable_welcome()->set_session(42);
  ASSERT_TRUE(daemon.Send(answer).ok());
  DaemonMessage received;
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.welcome().session(), 42u);
}

TEST(RemoteProtocolChannel, LargeFramesArriveWhole) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  ClientMessage copy;
  copy.set_request_id(0);
  std::string data(8 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  copy.mutable_copy_host_to_device()->set_inline_data(data);
  std::thread sender([&] { EXPECT_TRUE(client.Send(copy).ok()); });
  ClientMessage received;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  sender.join();
  EXPECT_TRUE(received.copy_host_to_device().inline_data() == data);
  // The buffer is reused for the next (small) frame.
  ASSERT_TRUE(client.Send(Hello(2)).ok());
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  EXPECT_EQ(received.request_id(), 2u);
}

DaemonMessage Answer(uint64_t request_id) {
  DaemonMessage message;
  message.set_request_id(request_id);
  message.mutable_welcome()->set_session(request_id);
  return message;
}

TEST(RemoteProtocolChannel, FramesReadAheadWithAnAnswerArriveInOrder) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  // All sent before the client receives: its first read takes several.
  DaemonMessage large;
  large.mutable_download_complete()->set_download(7);
  std::string data(200 << 10, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  large.mutable_download_complete()->set_inline_data(data);
  std::thread sender([&] {
    EXPECT_TRUE(daemon.Send(Answer(1)).ok());
    EXPECT_TRUE(daemon.Send(Answer(2)).ok());
    EXPECT_TRUE(daemon.Send(large).ok());
    EXPECT_TRUE(daemon.Send(Answer(3)).ok());
  });
  DaemonMessage received;
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.welcome().session(), 1u);
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.welcome().session(), 2u);
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.download_complete().download(), 7u);
  EXPECT_TRUE(received.download_complete().inline_data() == data);
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.welcome().session(), 3u);
  sender.join();
}

TEST(RemoteProtocolChannel, AFrameCutAfterTheBytesReadAheadIsUnavailable) {
  auto [a, b] = SocketPair();
  Channel client(std::move(b));
  const std::string first = Answer(1).SerializeAsString();
  // A whole frame, then the header and 3 bytes of one of 50 bytes.
  WriteRaw(a.get(), Header(static_cast<uint32_t>(first.size())) + first + Header(50) + "abc");
  a.reset();
  DaemonMessage received;
  ASSERT_TRUE(client.ReceiveDaemonMessage(&received).ok());
  EXPECT_EQ(received.request_id(), 1u);
  const absl::Status status = client.ReceiveDaemonMessage(&received);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("after 3 of 50 bytes"), absl::string_view::npos) << status;
}

TEST(RemoteProtocolChannel, FieldsSentAfterAMessageArriveInIt) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  ClientMessage entries;
  entries.add_batch()->mutable_fill()->set_stream(7);
  // Large enough that the frame leaves in several sendmsg calls.
  entries.add_batch()->mutable_copy_host_to_device()->set_inline_data(std::string(8 << 20, 'x'));
  const std::string fields = entries.SerializeAsString();
  std::thread sender([&] { EXPECT_TRUE(client.SendWithFields(Hello(3), fields).ok()); });
  ClientMessage received;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  sender.join();
  EXPECT_EQ(received.request_id(), 3u);
  EXPECT_EQ(received.hello().client(), "channel test");
  ASSERT_EQ(received.batch_size(), 2);
  EXPECT_EQ(received.batch(0).fill().stream(), 7u);
  EXPECT_EQ(received.batch(1).copy_host_to_device().inline_data().size(), 8u << 20);
}

TEST(RemoteProtocolChannel, FieldsAloneMakeAFrameAndCountTowardItsLimit) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  ClientMessage entries;
  entries.add_batch()->mutable_fill()->set_stream(9);
  ASSERT_TRUE(client.SendWithFields(ClientMessage(), entries.SerializeAsString()).ok());
  ClientMessage received;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  ASSERT_EQ(received.batch_size(), 1);
  EXPECT_EQ(received.batch(0).fill().stream(), 9u);
  const absl::Status oversize =
      client.SendWithFields(Hello(4), std::string(kMaxFrameBytes, 'x'));
  EXPECT_EQ(oversize.code(), absl::StatusCode::kInvalidArgument) << oversize;
}

TEST(RemoteProtocolChannel, SendRefusesEmptyAndOversizeMessages) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a));
  const absl::Status empty = client.Send(ClientMessage());
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument) << empty;
  ClientMessage huge;
  huge.mutable_copy_host_to_device()->set_inline_data(std::string(kMaxFrameBytes, 'x'));
  const absl::Status oversize = client.Send(huge);
  EXPECT_EQ(oversize.code(), absl::StatusCode::kInvalidArgument) << oversize;
}

TEST(RemoteProtocolChannel, PassesADescriptorWithAFrame) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  Pipe pipe;
  ClientMessage attach;
  attach.set_request_id(3);
  attach.mutable_shm_attach()->set_size(4096);
  ASSERT_TRUE(client.Send(attach, pipe.write_end.get()).ok());
  pipe.write_end.reset();
  ClientMessage received;
  UniqueFd fd;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received, &fd).ok());
  EXPECT_EQ(received.shm_attach().size(), 4096u);
  ASSERT_TRUE(fd.valid());
  EXPECT_NE(fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, 0);
  ASSERT_EQ(write(fd.get(), "k", 1), 1);
  char byte = 0;
  EXPECT_EQ(read(pipe.read_end.get(), &byte, 1), 1);
  EXPECT_EQ(byte, 'k');

  // The next frame carried none: the slot comes back empty.
  ASSERT_TRUE(client.Send(Hello(4)).ok());
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received, &fd).ok());
  EXPECT_FALSE(fd.valid());
}

TEST(RemoteProtocolChannel, ClosesDescriptorsNobodyAskedFor) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  Pipe pipe;
  ASSERT_TRUE(client.Send(Hello(1), pipe.write_end.get()).ok());
  pipe.write_end.reset();
  ClientMessage received;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  // The only other write end was the passed one: closed, so the pipe is at EOF.
  char byte = 0;
  EXPECT_EQ(read(pipe.read_end.get(), &byte, 1), 0);
}

TEST(RemoteProtocolChannel, ClosesExtraDescriptorsOfOneFrame) {
  auto [a, b] = SocketPair();
  UniqueFd raw_client(a.release());
  Channel daemon(std::move(b));
  Pipe first, second;
  const std::string frame = EncodeFrame(Hello(1));
  iovec io{const_cast<char*>(frame.data()), frame.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msghdr header{};
  header.msg_iov = &io;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(2 * sizeof(int));
  const int fds[2] = {first.write_end.get(), second.write_end.get()};
  std::memcpy(CMSG_DATA(c), fds, sizeof(fds));
  ASSERT_EQ(sendmsg(raw_client.get(), &header, 0), static_cast<ssize_t>(frame.size()));
  first.write_end.reset();
  second.write_end.reset();
  ClientMessage received;
  UniqueFd fd;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received, &fd).ok());
  EXPECT_TRUE(fd.valid());
  char byte = 0;
  EXPECT_EQ(read(second.read_end.get(), &byte, 1), 0) << "the second descriptor leaked";
}

TEST(RemoteProtocolChannel, DescriptorsCannotTravelOverTcp) {
  absl::StatusOr<UniqueFd> listener = Listen(*ParseEndpoint("tcp://127.0.0.1:0"));
  ASSERT_TRUE(listener.ok());
  Endpoint endpoint = *ParseEndpoint("tcp://127.0.0.1:0");
  endpoint.port = *BoundPort(listener->get());
  absl::StatusOr<UniqueFd> connected = Connect(endpoint, absl::Seconds(2));
  ASSERT_TRUE(connected.ok());
  Channel client(*std::move(connected));
  Channel daemon(UniqueFd(accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC)));
  EXPECT_FALSE(client.is_unix());
  const absl::Status status = client.Send(Hello(1), 0);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  // Without one, TCP carries frames like a Unix socket.
  ASSERT_TRUE(client.Send(Hello(2)).ok());
  ClientMessage received;
  ASSERT_TRUE(daemon.ReceiveClientMessage(&received).ok());
  EXPECT_EQ(received.request_id(), 2u);
  EXPECT_EQ(daemon.PeerCredentials().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(daemon.peer_name().rfind("tcp 127.0.0.1:", 0), 0u) << daemon.peer_name();
}

TEST(RemoteProtocolChannel, KnowsItsUnixPeer) {
  auto [a, b] = SocketPair();
  Channel daemon(std::move(b));
  absl::StatusOr<PeerCredentials> peer = daemon.PeerCredentials();
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ(peer->uid, getuid());
  EXPECT_EQ(peer->gid, getgid());
  EXPECT_EQ(peer->pid, getpid());
  EXPECT_EQ(daemon.peer_name(),
            "unix pid " + std::to_string(getpid()) + " uid " + std::to_string(getuid()));
  EXPECT_TRUE(daemon.is_unix());
}

TEST(RemoteProtocolChannel, EndOfStreamIsUnavailable) {
  auto [a, b] = SocketPair();
  Channel daemon(std::move(b));
  a.reset();
  ClientMessage received;
  const absl::Status status = daemon.ReceiveClientMessage(&received);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "connection closed by peer");
}

TEST(RemoteProtocolChannel, TruncatedFrameIsUnavailable) {
  auto [a, b] = SocketPair();
  Channel daemon(std::move(b));
  WriteRaw(a.get(), Header(100) + std::string(10, 'x'));
  a.reset();
  ClientMessage received;
  const absl::Status status = daemon.ReceiveClientMessage(&received);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("after 10 of 100 bytes"), absl::string_view::npos) << status;
}

TEST(RemoteProtocolChannel, TruncatedHeaderIsUnavailable) {
  auto [a, b] = SocketPair();
  Channel daemon(std::move(b));
  WriteRaw(a.get(), "\x05\x00");
  a.reset();
  DaemonMessage received;
  EXPECT_EQ(daemon.ReceiveDaemonMessage(&received).code(), absl::StatusCode::kUnavailable);
}

TEST(RemoteProtocolChannel, HostileLengthsAndPayloadsAreInvalidArgument) {
  struct Case {
    std::string bytes;
    const char* expected;
  };
  for (const Case& c :
       {Case{Header(0), "length 0"},
        Case{Header(static_cast<uint32_t>(kMaxFrameBytes) + 1), "exceeds"},
        Case{Header(0xffffffffu), "exceeds"}, Case{Header(3) + "\xff\xff\xff", "does not parse"},
        Case{Header(2) + std::string("\x08\x01", 2), "neither a command"}}) {
    auto [a, b] = SocketPair();
    Channel daemon(std::move(b));
    WriteRaw(a.get(), c.bytes);
    ClientMessage received;
    const absl::Status status = daemon.ReceiveClientMessage(&received);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.expected;
    EXPECT_NE(status.message().find(c.expected), absl::string_view::npos) << status;
  }
}

TEST(RemoteProtocolChannel, ShutdownWakesTheReceiverAndStopsSends) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a));
  absl::Status received_status;
  std::thread receiver([&] {
    DaemonMessage message;
    received_status = client.ReceiveDaemonMessage(&message);
  });
  absl::SleepFor(absl::Milliseconds(20));
  client.Shutdown();
  receiver.join();
  EXPECT_EQ(received_status.code(), absl::StatusCode::kUnavailable) << received_status;
  EXPECT_EQ(client.Send(Hello(1)).code(), absl::StatusCode::kUnavailable);
}

TEST(RemoteProtocolChannel, AReceiveTimeoutIsDeadlineExceededAndLeavesTheChannelUsable) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a));
  Channel daemon(std::move(b));
  client.SetReceiveTimeout(absl::Milliseconds(30));
  DaemonMessage message;
  const absl::Time start = absl::Now();
  const absl::Status waited = client.ReceiveDaemonMessage(&message);
  EXPECT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded) << waited;
  EXPECT_NE(waited.message().find("within the receive timeout"), absl::string_view::npos);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(25));
  // Nothing was consumed: a frame sent afterwards arrives whole, and a
  // timeout of zero waits for as long as it takes.
  client.SetReceiveTimeout(absl::ZeroDuration());
  std::thread late([&] {
    absl::SleepFor(absl::Milliseconds(60));
    DaemonMessage answer;
    answer.set_request_id(5);
    ASSERT_TRUE(daemon.Send(answer).ok());
  });
  ASSERT_TRUE(client.ReceiveDaemonMessage(&message).ok());
  EXPECT_EQ(message.request_id(), 5u);
  late.join();
}

TEST(RemoteProtocolChannel, SendToAClosedPeerIsUnavailableWithoutSigpipe) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a));
  b.reset();
  const absl::Status status = client.Send(Hello(1));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST(RemoteProtocolChannel, ConcurrentSendsKeepFramesWhole) {
  auto [a, b] = SocketPair();
  Channel client(std::move(a)), daemon(std::move(b));
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ClientMessage message = Hello(t * kPerThread + i + 1);
        // Sizes vary so that frames would interleave if sends were not atomic.
        message.mutable_hello()->set_client(std::string((i % 7) * 5000, 'c'));
        EXPECT_TRUE(client.Send(message).ok());
      }
    });
  }
  std::vector<bool> seen(kThreads * kPerThread + 1, false);
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    ClientMessage message;
    ASSERT_TRUE(daemon.ReceiveClientMessage(&message).ok());
    ASSERT_LE(message.request_id(), static_cast<uint64_t>(kThreads * kPerThread));
    EXPECT_FALSE(seen[message.request_id()]);
    seen[message.request_id()] = true;
  }
  for (std::thread& sender : senders) sender.join();
}

}  // namespace
}  // namespace hal::remote
