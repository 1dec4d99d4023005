// A session's shared memory registered with its device (host registration)
// within the daemon's budget, so the device copies to and from it in place.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/remote/protocol/shared_memory.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/fault_injection.h"

namespace hal::daemon::testing {
namespace {

constexpr uint64_t kShmBytes = 1 << 20;

class SharedMemoryRegistrationTest : public DaemonTest {
 protected:
  void StartWithBudget(uint64_t bytes, uint64_t per_session = uint64_t{1} << 30) {
    SessionLimits limits;
    limits.registered_shared_memory_bytes = bytes;
    limits.registered_shared_memory_bytes_per_session = per_session;
    StartServer(DefaultPoolFile(), limits);
  }
  ByteBudget& budget() { return server_->context().registered_shared_memory(); }
  // What hal-info --pool shows for each session, in order of connection.
  std::vector<uint64_t> RegisteredBySession() {
    std::vector<uint64_t> bytes;
    for (const SessionSnapshot& session : server_->context().sessions().Snapshot()) {
      bytes.push_back(session.registered_shared_memory_bytes);
    }
    return bytes;
  }

  // Sends `client` a memfd of `size` bytes as its session's shared memory.
  std::unique_ptr<remote::SharedMemory> AttachShm(TestClient& client, uint64_t size) {
    absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(size, "test");
    EXPECT_TRUE(shm.ok()) << shm.status();
    if (!shm.ok()) return nullptr;
    ClientMessage attach_shm;
    attach_shm.mutable_shm_attach()->set_size(size);
    absl::Status status = client.Call(attach_shm, shm->fd());
    EXPECT_TRUE(status.ok()) << status;
    return status.ok() ? std::make_unique<remote::SharedMemory>(*std::move(shm)) : nullptr;
  }

  // A session attached to "a" with `size` bytes of shared memory.
  struct Tenant {
    std::unique_ptr<TestClient> client;
    std::unique_ptr<remote::SharedMemory> shm;
  };
  Tenant AttachedWithShm(uint64_t size) {
    Tenant tenant;
    tenant.client = Attached();
    EXPECT_TRUE(tenant.client);
    if (tenant.client) tenant.shm = AttachShm(*tenant.client, size);
    return tenant;
  }

  // Uploads `size` bytes at `from` of the shared memory into a new buffer and
  // downloads them to `to`; true when they came back exactly.
  static bool RoundTrips(TestClient& client, remote::SharedMemory& shm, uint64_t from, uint64_t to,
                         uint64_t size) {
    for (uint64_t i = 0; i < size; ++i) shm.data()[from + i] = static_cast<uint8_t>(i * 13 + 5);
    std::memset(shm.data() + to, 0, size);
    if (!client.Call(AllocateMessage(1, size)).ok() || !client.Call(StreamCreateMessage(2)).ok()) {
      return false;
    }
    ClientMessage upload;
    remote::v1::CopyHostToDevice& copy = *upload.mutable_copy_host_to_device();
    copy.set_stream(2);
    copy.set_dst(1);
    copy.set_size(size);
    copy.mutable_shm()->set_offset(from);
    copy.mutable_shm()->set_size(size);
    ClientMessage download = DownloadMessage(2, 1, size, 7);
    download.mutable_copy_device_to_host()->mutable_shm()->set_offset(to);
    download.mutable_copy_device_to_host()->mutable_shm()->set_size(size);
    if (!client.SendOneWay(upload).ok() || !client.SendOneWay(download).ok() ||
        !client.Call(SynchronizeMessage(2)).ok()) {
      return false;
    }
    return std::memcmp(shm.data() + from, shm.data() + to, size) == 0;
  }
};

TEST_F(SharedMemoryRegistrationTest, IsRegisteredUntilTheSessionEnds) {
  StartWithBudget(uint64_t{1} << 30);
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  std::unique_ptr<remote::SharedMemory> shm = AttachShm(*client, kShmBytes);
  ASSERT_TRUE(shm);
  EXPECT_EQ(budget().reserved(), kShmBytes);
  EXPECT_EQ(RegisteredBySession(), std::vector<uint64_t>{kShmBytes});
  EXPECT_TRUE(RoundTrips(*client, *shm, 0, kShmBytes / 2, kShmBytes / 2));

  client.reset();
  ASSERT_TRUE(WaitForNoSessions());
  EXPECT_EQ(budget().reserved(), 0u) << "the session's end gives the budget back";
}

// The remote driver's order: the shared memory comes before the device.
TEST_F(SharedMemoryRegistrationTest, SharedMemorySentBeforeAttachIsRegisteredAtAttach) {
  StartWithBudget(uint64_t{1} << 30);
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Hello().ok());
  std::unique_ptr<remote::SharedMemory> shm = AttachShm(*client, kShmBytes);
  ASSERT_TRUE(shm);
  EXPECT_EQ(budget().reserved(), 0u) << "no device yet";
  ASSERT_TRUE(client->Call(AttachMessage("a")).ok());
  EXPECT_EQ(budget().reserved(), kShmBytes);
}

TEST_F(SharedMemoryRegistrationTest, PastTheBudgetASessionCopiesThroughUnregisteredMemory) {
  StartWithBudget(kShmBytes);
  Tenant first = AttachedWithShm(kShmBytes);
  ASSERT_TRUE(first.shm);
  Tenant second = AttachedWithShm(kShmBytes);
  ASSERT_TRUE(second.shm);
  EXPECT_EQ(budget().reserved(), kShmBytes) << "only the first fits";
  EXPECT_EQ(RegisteredBySession(), (std::vector<uint64_t>{kShmBytes, 0}));
  EXPECT_TRUE(RoundTrips(*second.client, *second.shm, 0, kShmBytes / 2, kShmBytes / 2));
  EXPECT_TRUE(RoundTrips(*first.client, *first.shm, 0, kShmBytes / 2, kShmBytes / 2));
}

// Registration takes whole pages: a tail past the last one is copied as
// plain host memory, and a copy straddling both comes back whole.
TEST_F(SharedMemoryRegistrationTest, ATailPastTheLastPageStaysUnregistered) {
  StartWithBudget(uint64_t{1} << 30);
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t size = 16 * page + 100;
  std::unique_ptr<remote::SharedMemory> shm = AttachShm(*client, size);
  ASSERT_TRUE(shm);
  EXPECT_EQ(budget().reserved(), 16 * page);
  EXPECT_TRUE(RoundTrips(*client, *shm, 0, 15 * page, page + 100));
}

TEST_F(SharedMemoryRegistrationTest, ABudgetOfZeroRegistersNothing) {
  StartWithBudget(0);
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  std::unique_ptr<remote::SharedMemory> shm = AttachShm(*client, kShmBytes);
  ASSERT_TRUE(shm);
  EXPECT_EQ(budget().reserved(), 0u);
  EXPECT_TRUE(RoundTrips(*client, *shm, 0, kShmBytes / 2, kShmBytes / 2));
}

// One session's large shared memory leaves room for the next: each registers
// its share, its first bytes, and copies straddling the share's end come back
// whole.
TEST_F(SharedMemoryRegistrationTest, EachSessionRegistersAtMostItsShare) {
  StartWithBudget(kShmBytes, kShmBytes / 2);
  Tenant first = AttachedWithShm(kShmBytes);
  ASSERT_TRUE(first.shm);
  Tenant second = AttachedWithShm(kShmBytes);
  ASSERT_TRUE(second.shm);
  EXPECT_EQ(budget().reserved(), kShmBytes);
  EXPECT_EQ(RegisteredBySession(), (std::vector<uint64_t>{kShmBytes / 2, kShmBytes / 2}));
  EXPECT_TRUE(
      RoundTrips(*first.client, *first.shm, kShmBytes / 4, kShmBytes * 5 / 8, kShmBytes * 3 / 8));
}

// The device refuses the registration (here it was lost before the memory
// came): hald logs why, the budget goes back, and the session shows nothing
// registered.
TEST_F(SharedMemoryRegistrationTest, ARegistrationTheDeviceRefusesGivesTheBudgetBack) {
  StartWithBudget(uint64_t{1} << 30);
  SetFaultInjectionEnabled(true);
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(InjectDeviceLost(*server_->context().FindVirtualDevice("a")->device()).ok());
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4096, 7)).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kUnavailable);

  ::testing::internal::CaptureStderr();
  std::unique_ptr<remote::SharedMemory> shm = AttachShm(*client, kShmBytes);
  const std::string log = ::testing::internal::GetCapturedStderr();
  SetFaultInjectionEnabled(false);
  ASSERT_TRUE(shm);
  EXPECT_THAT(log, ::testing::HasSubstr("shared memory stays unregistered"));
  EXPECT_EQ(budget().reserved(), 0u);
  EXPECT_EQ(RegisteredBySession(), std::vector<uint64_t>{0});
}

}  // namespace
}  // namespace hal::daemon::testing
