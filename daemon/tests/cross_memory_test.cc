// Cross-memory attach: TenantMemory on this process and on dead ones, and a
// session (the in-process server, so the tenant is this process) copying
// straight to and from the client's memory.
#include "daemon/cross_memory.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "backends/remote/protocol/status_codec.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

uint64_t AddressOf(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }

TEST(TenantMemoryTest, ReadsAndWritesTheTenantsRanges) {
  absl::StatusOr<TenantMemory> memory = TenantMemory::Open(getpid());
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_TRUE(memory->Alive());
  const std::string source = "bytes of the tenant";
  std::string read(source.size(), '\0');
  ASSERT_TRUE(memory->Read(AddressOf(source.data()), read.data(), read.size()).ok());
  EXPECT_EQ(read, source);
  std::string written(source.size(), '\0');
  ASSERT_TRUE(memory->Write(source.data(), AddressOf(written.data()), written.size()).ok());
  EXPECT_EQ(written, source);
  EXPECT_TRUE(memory->Probe(AddressOf(source.data()), source).ok());
  EXPECT_EQ(memory->Probe(AddressOf(source.data()), "another canary").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TenantMemoryTest, AnUnmappedRangeIsInvalidArgument) {
  absl::StatusOr<TenantMemory> memory = TenantMemory::Open(getpid());
  ASSERT_TRUE(memory.ok()) << memory.status();
  char byte = 0;
  const absl::Status read = memory->Read(8, &byte, 1);
  EXPECT_EQ(read.code(), absl::StatusCode::kInvalidArgument) << read;
  EXPECT_THAT(read.message(), HasSubstr("process_vm_readv"));
  EXPECT_EQ(memory->Write(&byte, 8, 1).code(), absl::StatusCode::kInvalidArgument);
}

TEST(TenantMemoryTest, ADeadTenantGetsNoCrossMemory) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  // Exited, not yet reaped: the pid is still the child's, and dead.
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  const absl::StatusOr<TenantMemory> zombie = TenantMemory::Open(child);
  EXPECT_EQ(zombie.status().code(), absl::StatusCode::kUnavailable) << zombie.status();
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_EQ(TenantMemory::Open(child).status().code(), absl::StatusCode::kUnavailable);
}

TEST(TenantMemoryTest, NothingIsWrittenToATenantThatDiedAfterTheSessionStarted) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char go = 0;
    close(pipe_fds[1]);
    (void)!read(pipe_fds[0], &go, 1);
    _exit(0);
  }
  close(pipe_fds[0]);
  absl::StatusOr<TenantMemory> memory = TenantMemory::Open(child);
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_TRUE(memory->Alive());
  close(pipe_fds[1]);  // the child exits
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(memory->Alive());
  char byte = 1;
  EXPECT_EQ(memory->Write(&byte, AddressOf(&byte), 1).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(memory->Read(AddressOf(&byte), &byte, 1).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TenantMemoryTest, TheDaemonsSwitchTurnsItOff) {
  setenv("HAL_DAEMON_CROSS_MEMORY", "off", 1);
  const absl::StatusOr<TenantMemory> memory = TenantMemory::Open(getpid());
  unsetenv("HAL_DAEMON_CROSS_MEMORY");
  EXPECT_EQ(memory.status().code(), absl::StatusCode::kFailedPrecondition);
}

class CrossMemorySessionTest : public DaemonTest {
 protected:
  static constexpr uint64_t kSize = 1 << 20;
  static constexpr uint64_t kBuffer = 1;
  static constexpr uint64_t kStream = 2;

  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer(DefaultPoolFile());
  }

  // A Unix-socket client (Hello's Welcome kept), attached to "a", with a
  // buffer and a stream.
  std::unique_ptr<TestClient> Opened(DaemonMessage* welcome) {
    std::unique_ptr<TestClient> client = Client(unix_endpoint());
    if (!client) return nullptr;
    absl::StatusOr<DaemonMessage> answer = client->Hello();
    if (!answer.ok()) return nullptr;
    *welcome = *answer;
    if (!client->Call(AttachMessage("a")).ok() ||
        !client->Call(AllocateMessage(kBuffer, kSize)).ok() ||
        !client->Call(StreamCreateMessage(kStream)).ok()) {
      return nullptr;
    }
    return client;
  }

  static ClientMessage AttachCrossMemory(uint64_t pid, const std::string& canary,
                                         const void* address) {
    ClientMessage message;
    remote::v1::CrossMemoryAttach& attach = *message.mutable_cross_memory_attach();
    attach.set_pid(pid);
    attach.set_canary(canary);
    attach.set_canary_address(AddressOf(address));
    return message;
  }

  static ClientMessage Upload(const void* source, uint64_t size) {
    ClientMessage message;
    remote::v1::CopyHostToDevice& copy = *message.mutable_copy_host_to_device();
    copy.set_stream(kStream);
    copy.set_dst(kBuffer);
    copy.set_size(size);
    copy.set_tenant_address(AddressOf(source));
    return message;
  }

  static ClientMessage Download(void* destination, uint64_t size, uint64_t download) {
    ClientMessage message = DownloadMessage(kStream, kBuffer, size, download);
    message.mutable_copy_device_to_host()->set_tenant_address(AddressOf(destination));
    return message;
  }

  const std::string canary_ = "sixteen canaries";
};

TEST_F(CrossMemorySessionTest, CopiesGoStraightToAndFromTheTenantsMemory) {
  DaemonMessage welcome;
  std::unique_ptr<TestClient> client = Opened(&welcome);
  ASSERT_TRUE(client);
  EXPECT_EQ(welcome.welcome().cross_memory_pid(), static_cast<uint64_t>(getpid()));
  ASSERT_TRUE(client->Call(AttachCrossMemory(getpid(), canary_, canary_.data())).ok());

  std::vector<uint8_t> source(kSize);
  for (uint64_t i = 0; i < kSize; ++i) source[i] = static_cast<uint8_t>(i * 13 + 5);
  std::vector<uint8_t> destination(kSize, 0);
  ASSERT_TRUE(client->SendOneWay(Upload(source.data(), kSize)).ok());
  ASSERT_TRUE(client->SendOneWay(Download(destination.data(), kSize, 7)).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(kStream)).ok());
  ASSERT_EQ(client->async().size(), 1u);
  const remote::v1::DownloadComplete& complete = client->async()[0].download_complete();
  EXPECT_EQ(complete.download(), 7u);
  EXPECT_EQ(complete.data_case(), remote::v1::DownloadComplete::DATA_NOT_SET);
  EXPECT_EQ(source, destination);
}

TEST_F(CrossMemorySessionTest, ABadAddressFailsTheCopyOnItsStreamAndTheSessionGoesOn) {
  DaemonMessage welcome;
  std::unique_ptr<TestClient> client = Opened(&welcome);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AttachCrossMemory(getpid(), canary_, canary_.data())).ok());
  ASSERT_TRUE(client->SendOneWay(Upload(reinterpret_cast<void*>(8), kSize)).ok());
  const absl::Status failed = client->Call(SynchronizeMessage(kStream));
  EXPECT_EQ(failed.code(), absl::StatusCode::kInvalidArgument) << failed;
  EXPECT_THAT(failed.message(), HasSubstr("process_vm_readv"));
  ASSERT_TRUE(client->SendOneWay(Download(reinterpret_cast<void*>(8), kSize, 1)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(kStream)).code(), absl::StatusCode::kInvalidArgument);
  // Beyond the buffer: refused before anything is read.
  std::vector<uint8_t> bytes(2 * kSize, 3);
  ASSERT_TRUE(client->SendOneWay(Upload(bytes.data(), 2 * kSize)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(kStream)).code(), absl::StatusCode::kInvalidArgument);

  // The session still serves a fresh stream.
  ASSERT_TRUE(client->Call(StreamCreateMessage(kStream + 1)).ok());
  ClientMessage upload = Upload(bytes.data(), kSize);
  upload.mutable_copy_host_to_device()->set_stream(kStream + 1);
  ASSERT_TRUE(client->SendOneWay(upload).ok());
  EXPECT_TRUE(client->Call(SynchronizeMessage(kStream + 1)).ok());
}

TEST_F(CrossMemorySessionTest, AttachIsRefusedForAnotherPidOrCanaryAndCopiesNeedIt) {
  DaemonMessage welcome;
  std::unique_ptr<TestClient> client = Opened(&welcome);
  ASSERT_TRUE(client);
  std::vector<uint8_t> bytes(kSize, 1);
  ASSERT_TRUE(client->SendOneWay(Upload(bytes.data(), kSize)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(kStream)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client->Call(AttachCrossMemory(getpid() + 1, canary_, canary_.data())).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(client->Call(AttachCrossMemory(getpid(), "not the canary..", canary_.data())).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client->Call(AttachCrossMemory(getpid(), canary_, nullptr)).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(client->SendOneWay(Upload(bytes.data(), kSize)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(kStream)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CrossMemorySessionTest, TcpPeersAndASwitchedOffDaemonOfferNone) {
  std::unique_ptr<TestClient> tcp = Client(tcp_endpoint());
  ASSERT_TRUE(tcp);
  absl::StatusOr<DaemonMessage> welcome = tcp->Hello("secret");
  ASSERT_TRUE(welcome.ok()) << welcome.status();
  EXPECT_EQ(welcome->welcome().cross_memory_pid(), 0u);
  EXPECT_EQ(tcp->Call(AttachCrossMemory(getpid(), canary_, canary_.data())).code(),
            absl::StatusCode::kFailedPrecondition);

  setenv("HAL_DAEMON_CROSS_MEMORY", "off", 1);
  std::unique_ptr<TestClient> unix_client = Client(unix_endpoint());
  ASSERT_TRUE(unix_client);
  welcome = unix_client->Hello();
  unsetenv("HAL_DAEMON_CROSS_MEMORY");
  ASSERT_TRUE(welcome.ok()) << welcome.status();
  EXPECT_EQ(welcome->welcome().cross_memory_pid(), 0u);
}

// Copies through a buffer's mapping would pin it for good, which an
// overcommitted pool must not do to its tenants' buffers.
class CrossMemoryOvercommitTest : public DaemonTest {};

TEST_F(CrossMemoryOvercommitTest, AnOvercommittedPoolRefusesTheAttach) {
  StartServer(R"({
  "pool": {"devices": ["cpu:0"], "overcommit_ratio": 2.0, "capacity_caps": {"cpu:0": "32MiB"}},
  "virtual_devices": [{"name": "a", "memory_quota": "32MiB"}]
})");
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  const std::string canary = "canary";
  ClientMessage attach;
  attach.mutable_cross_memory_attach()->set_pid(getpid());
  attach.mutable_cross_memory_attach()->set_canary(canary);
  attach.mutable_cross_memory_attach()->set_canary_address(AddressOf(canary.data()));
  const absl::Status refused = client->Call(attach);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("overcommits"));
}

}  // namespace
}  // namespace hal::daemon::testing
