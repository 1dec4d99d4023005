#include "backends/remote/protocol/endpoint.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fstream>
#include <string>

#include "backends/remote/protocol/test_support.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

using ::hal::remote::testing::TempDir;

TEST(RemoteProtocolEndpoint, ParsesUnixPaths) {
  absl::StatusOr<Endpoint> endpoint = ParseEndpoint("unix:/run/hal/hald.sock");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->kind, Endpoint::Kind::kUnix);
  EXPECT_EQ(endpoint->path, "/run/hal/hald.sock");
  EXPECT_EQ(endpoint->ToString(), "unix:/run/hal/hald.sock");
}

TEST(RemoteProtocolEndpoint, ParsesTcpHostsOfEveryKind) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c :
       {Case{"tcp://node7.cluster:5555", "node7.cluster", 5555},
        Case{"tcp://127.0.0.1:0", "127.0.0.1", 0}, Case{"tcp://[::1]:65535", "::1", 65535},
        Case{"tcp://[fe80::1%eth0]:80", "fe80::1%eth0", 80}}) {
    absl::StatusOr<Endpoint> endpoint = ParseEndpoint(c.text);
    ASSERT_TRUE(endpoint.ok()) << c.text << ": " << endpoint.status();
    EXPECT_EQ(endpoint->kind, Endpoint::Kind::kTcp);
    EXPECT_EQ(endpoint->host, c.host);
    EXPECT_EQ(endpoint->port, c.port);
    EXPECT_EQ(endpoint->ToString(), c.text);
  }
}

TEST(RemoteProtocolEndpoint, RefusesMalformedTextNamingIt) {
  const std::string long_path = "unix:/" + std::string(sizeof(sockaddr_un::sun_path), 'a');
  for (const std::string& text :
       {std::string(""), std::string("unix:"), std::string("unix:relative/path"),
        std::string("unix:/a\0b", 9), long_path, std::string("tcp://host"),
        std::string("tcp://host:"), std::string("tcp://:5555"), std::string("tcp://host:65536"),
        std::string("tcp://host:-1"), std::string("tcp://host:+1"), std::string("tcp://host:1x"),
        std::string("tcp://::1:80"), std::string("tcp://[::1"), std::string("tcp://[::1]80"),
        std::string("tcp://[]:80"), std::string("tcp://ho st:80"), std::string("http://a:1"),
        std::string("/run/hal/hald.sock")}) {
    absl::StatusOr<Endpoint> endpoint = ParseEndpoint(text);
    ASSERT_FALSE(endpoint.ok()) << text;
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(endpoint.status().message().find("endpoint \"" + text.substr(0, 4)),
              absl::string_view::npos)
        << endpoint.status();
  }
}

TEST(RemoteProtocolEndpoint, ListensAndConnectsOverUnix) {
  TempDir dir;
  const Endpoint endpoint = *ParseEndpoint("unix:" + dir.File("s"));
  absl::StatusOr<UniqueFd> listener = Listen(endpoint);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<UniqueFd> client = Connect(endpoint, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  UniqueFd server(accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(server.valid());
  EXPECT_EQ(write(client->get(), "x", 1), 1);
  char byte = 0;
  EXPECT_EQ(read(server.get(), &byte, 1), 1);
  EXPECT_EQ(byte, 'x');
}

TEST(RemoteProtocolEndpoint, UnixListenRemovesAStaleSocket) {
  TempDir dir;
  const Endpoint endpoint = *ParseEndpoint("unix:" + dir.File("s"));
  {
    absl::StatusOr<UniqueFd> dead = Listen(endpoint);
    ASSERT_TRUE(dead.ok());
  }
  // The file stays behind with no one listening: a daemon that died.
  ASSERT_TRUE(std::filesystem::exists(dir.File("s")));
  absl::StatusOr<UniqueFd> listener = Listen(endpoint);
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_TRUE(Connect(endpoint, absl::Seconds(2)).ok());
}

TEST(RemoteProtocolEndpoint, UnixListenRefusesALiveSocket) {
  TempDir dir;
  const Endpoint endpoint = *ParseEndpoint("unix:" + dir.File("s"));
  absl::StatusOr<UniqueFd> first = Listen(endpoint);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<UniqueFd> second = Listen(endpoint);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(endpoint.ToString()), absl::string_view::npos);
  // The first listener still serves.
  EXPECT_TRUE(Connect(endpoint, absl::Seconds(2)).ok());
}

TEST(RemoteProtocolEndpoint, UnixListenRefusesAPathThatIsNoSocket) {
  TempDir dir;
  std::ofstream(dir.File("f")) << "data";
  absl::StatusOr<UniqueFd> listener = Listen(*ParseEndpoint("unix:" + dir.File("f")));
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(std::filesystem::exists(dir.File("f")));
}

TEST(RemoteProtocolEndpoint, ConnectToAbsentUnixSocketIsUnavailable) {
  TempDir dir;
  const Endpoint endpoint = *ParseEndpoint("unix:" + dir.File("absent"));
  absl::StatusOr<UniqueFd> client = Connect(endpoint, absl::Seconds(2));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find(endpoint.ToString()), absl::string_view::npos);
  EXPECT_NE(client.status().message().find("No such file"), absl::string_view::npos)
      << client.status();
}

TEST(RemoteProtocolEndpoint, ConnectGivesUpWhenTheBacklogStaysFull) {
  TempDir dir;
  const Endpoint endpoint = *ParseEndpoint("unix:" + dir.File("s"));
  absl::StatusOr<UniqueFd> listener = Listen(endpoint);
  ASSERT_TRUE(listener.ok());
  // A backlog of 0 holds one pending connection; no one accepts.
  ASSERT_EQ(listen(listener->get(), 0), 0);
  std::vector<UniqueFd> pending;
  absl::Status status;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 4 && status.ok(); ++i) {
    absl::StatusOr<UniqueFd> client = Connect(endpoint, absl::Milliseconds(100));
    if (client.ok()) pending.push_back(*std::move(client));
    status = client.status();
  }
  ASSERT_FALSE(status.ok()) << "every connect was queued";
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(RemoteProtocolEndpoint, ListensOnTcpPortZeroAndConnects) {
  absl::StatusOr<UniqueFd> listener = Listen(*ParseEndpoint("tcp://127.0.0.1:0"));
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<uint16_t> port = BoundPort(listener->get());
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_NE(*port, 0);
  Endpoint endpoint = *ParseEndpoint("tcp://localhost:1");
  endpoint.port = *port;
  absl::StatusOr<UniqueFd> client = Connect(endpoint, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  int nodelay = 0;
  socklen_t length = sizeof(nodelay);
  ASSERT_EQ(getsockopt(client->get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  EXPECT_NE(nodelay, 0);
  UniqueFd server(accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_TRUE(server.valid());
}

TEST(RemoteProtocolEndpoint, ConnectToClosedTcpPortIsUnavailable) {
  Endpoint endpoint = *ParseEndpoint("tcp://127.0.0.1:0");
  {
    absl::StatusOr<UniqueFd> listener = Listen(endpoint);
    ASSERT_TRUE(listener.ok());
    endpoint.port = *BoundPort(listener->get());
  }
  absl::StatusOr<UniqueFd> client = Connect(endpoint, absl::Seconds(2));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find(endpoint.ToString()), absl::string_view::npos);
}

TEST(RemoteProtocolEndpoint, TcpListenOnABusyPortFails) {
  absl::StatusOr<UniqueFd> first = Listen(*ParseEndpoint("tcp://127.0.0.1:0"));
  ASSERT_TRUE(first.ok());
  Endpoint endpoint = *ParseEndpoint("tcp://127.0.0.1:0");
  endpoint.port = *BoundPort(first->get());
  absl::StatusOr<UniqueFd> second = Listen(endpoint);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("Address already in use"), absl::string_view::npos)
      << second.status();
}

TEST(RemoteProtocolEndpoint, BoundPortOfAUnixSocketIsFailedPrecondition) {
  TempDir dir;
  absl::StatusOr<UniqueFd> listener = Listen(*ParseEndpoint("unix:" + dir.File("s")));
  ASSERT_TRUE(listener.ok());
  EXPECT_EQ(BoundPort(listener->get()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BoundPort(-1).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hal::remote
