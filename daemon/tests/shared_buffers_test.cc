// hald's side of buffers in shared memory (BufferAllocate.shared_host_memory):
// a tenant's sealed memfd becomes the buffer itself, charged to the virtual
// device's quota, mapped as long as the buffer lives and no longer; every
// malformed request is refused with a status and the session goes on
// serving. Host-staging buffers since protocol 1.3; device buffers since 1.6,
// where the device's memory is host memory (cpu:0) and the pool does not
// overcommit, and hald's own device memory otherwise.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "backends/remote/protocol/shared_memory.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "hal/driver/hal_driver.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kSize = 1 << 20;  // whole pages, and of the CPU driver's granularity
constexpr char kMemfdName[] = "shared-staging-test";

class SharedBuffersTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer(DefaultPoolFile());
  }

  // The bytes hal-info --pool shows for the one open session.
  uint64_t SessionBytes() const {
    const std::vector<SessionSnapshot> sessions = server_->context().sessions().Snapshot();
    EXPECT_EQ(sessions.size(), 1u);
    return sessions.empty() ? 0 : sessions[0].bytes_allocated;
  }
};

ClientMessage SharedAllocateMessage(uint64_t buffer, uint64_t size, bool shared = true,
                                    hal_buffer_kind kind = HAL_BUFFER_HOST_STAGING) {
  ClientMessage message = AllocateMessage(buffer, size);
  message.mutable_buffer_allocate()->set_kind(kind);
  message.mutable_buffer_allocate()->set_shared_host_memory(shared);
  return message;
}

ClientMessage SharedDeviceAllocateMessage(uint64_t buffer, uint64_t size) {
  return SharedAllocateMessage(buffer, size, /*shared=*/true, HAL_BUFFER_DEVICE);
}

// What hald lists for virtual device "a".
bool ListsSharedDeviceMemory(TestClient& client) {
  absl::StatusOr<DaemonMessage> list = client.Request(ListDevicesMessage());
  EXPECT_TRUE(list.ok()) << list.status();
  if (!list.ok()) return false;
  for (const remote::v1::DeviceProperties& device : list->device_list().devices()) {
    if (device.virtual_device() == "a") return device.shared_device_memory();
  }
  ADD_FAILURE() << "hald lists no virtual device a";
  return false;
}

remote::SharedMemory TenantMemfd(uint64_t size) {
  absl::StatusOr<remote::SharedMemory> memfd = remote::SharedMemory::Create(size, kMemfdName);
  EXPECT_TRUE(memfd.ok()) << memfd.status();
  return *std::move(memfd);
}

// Mappings of the test's memfds in this process (the "tenant" and the
// in-process hald share it): how many hald still holds once the tenant's own
// are gone.
int MemfdMappings() {
  std::ifstream maps("/proc/self/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    if (absl::StrContains(line, std::string("memfd:") + kMemfdName)) ++count;
  }
  return count;
}

TEST_F(SharedBuffersTest, TheTenantsMemfdIsTheBufferChargedToTheQuota) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  {
    remote::SharedMemory memfd = TenantMemfd(kSize);
    std::fill_n(memfd.data(), kSize, 0x11);
    absl::StatusOr<DaemonMessage> answer =
        client->Request(SharedAllocateMessage(1, kSize), memfd.fd());
    ASSERT_TRUE(answer.ok()) << answer.status();
    ASSERT_EQ(answer->status().code(), 0) << answer->status().message();
    EXPECT_TRUE(answer->buffer_allocated().shared());
    EXPECT_EQ(answer->buffer_allocated().allocated_size(), kSize);
    EXPECT_EQ(vd->memory_used(), kSize);
    EXPECT_EQ(SessionBytes(), kSize) << "hal-info --pool counts it as the quota does";
    // hald's device writes the tenant's own pages.
    ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
    ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4096, 0x22222222u)).ok());
    ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
    EXPECT_EQ(std::count(memfd.data(), memfd.data() + 4096, 0x22), 4096);
    EXPECT_EQ(memfd.data()[4096], 0x11);
  }
  EXPECT_EQ(MemfdMappings(), 1) << "hald maps it as long as the buffer lives";
  ClientMessage free;
  free.mutable_buffer_free()->set_buffer(1);
  ASSERT_TRUE(client->SendOneWay(free).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
  EXPECT_EQ(vd->memory_used(), 0u);
  EXPECT_EQ(SessionBytes(), 0u);
  EXPECT_EQ(MemfdMappings(), 0);
}

// A request of fewer bytes than its memfd's pages is charged, and answered,
// as a staging allocation of its size (the CPU driver's granularity is 64).
TEST_F(SharedBuffersTest, ASmallBufferIsChargedAsItsAllocationWouldBe) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  remote::SharedMemory memfd = TenantMemfd(static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  absl::StatusOr<DaemonMessage> answer = client->Request(SharedAllocateMessage(1, 100), memfd.fd());
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->status().code(), 0) << answer->status().message();
  EXPECT_TRUE(answer->buffer_allocated().shared());
  EXPECT_EQ(answer->buffer_allocated().allocated_size(), 128u);
  EXPECT_EQ(vd->memory_used(), 128u);
}

TEST_F(SharedBuffersTest, AClosedSessionUnmapsAndUnchargesItsSharedBuffers) {
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  {
    std::unique_ptr<TestClient> client = Attached();
    ASSERT_TRUE(client);
    remote::SharedMemory memfd = TenantMemfd(kSize);
    ASSERT_TRUE(client->Call(SharedAllocateMessage(1, kSize), memfd.fd()).ok());
    EXPECT_EQ(vd->memory_used(), kSize);
  }
  ASSERT_TRUE(WaitForNoSessions());
  EXPECT_EQ(vd->memory_used(), 0u);
  EXPECT_EQ(MemfdMappings(), 0);
}

// Without the descriptor the request is an ordinary staging allocation.
TEST_F(SharedBuffersTest, TheFlagWithoutADescriptorAllocatesAsBefore) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  absl::StatusOr<DaemonMessage> answer = client->Request(SharedAllocateMessage(1, kSize));
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->status().code(), 0) << answer->status().message();
  EXPECT_FALSE(answer->buffer_allocated().shared());
}

TEST_F(SharedBuffersTest, MalformedRequestsAreRefusedAndTheSessionServesOn) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));

  remote::SharedMemory memfd = TenantMemfd(kSize);
  absl::Status status = client->Call(SharedAllocateMessage(1, kSize, /*shared=*/false), memfd.fd());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("without shared_host_memory"));

  status = client->Call(SharedAllocateMessage(1, kSize - page), memfd.fd());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "another size";

  const int unsealed = memfd_create(kMemfdName, MFD_CLOEXEC);
  ASSERT_GE(unsealed, 0);
  ASSERT_EQ(ftruncate(unsealed, static_cast<off_t>(kSize)), 0);
  status = client->Call(SharedAllocateMessage(1, kSize), unsealed);
  close(unsealed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("F_SEAL_SHRINK"));

  int pipe_ends[2];
  ASSERT_EQ(pipe2(pipe_ends, O_CLOEXEC), 0);
  status = client->Call(SharedAllocateMessage(1, kSize), pipe_ends[0]);
  close(pipe_ends[0]);
  close(pipe_ends[1]);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a memfd"));

  // Over the quota (64 MiB): refused with nothing charged or kept mapped.
  remote::SharedMemory large = TenantMemfd(128 << 20);
  status = client->Call(SharedAllocateMessage(1, 128 << 20), large.fd());
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(vd->memory_used(), 0u);

  absl::StatusOr<DaemonMessage> answer =
      client->Request(SharedAllocateMessage(1, kSize), memfd.fd());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status().code(), 0) << answer->status().message();
  EXPECT_TRUE(answer->buffer_allocated().shared());
}

// cpu:0's device memory is host memory: a device buffer is the tenant's
// memfd, which hald's device writes and reads in place, charged as its
// allocation would be.
TEST_F(SharedBuffersTest, OnCpuADeviceBufferIsTheTenantsMemfd) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  EXPECT_TRUE(ListsSharedDeviceMemory(*client));
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  remote::SharedMemory memfd = TenantMemfd(kSize);
  std::fill_n(memfd.data(), kSize, 0x5A);
  absl::StatusOr<DaemonMessage> answer =
      client->Request(SharedDeviceAllocateMessage(1, kSize), memfd.fd());
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->status().code(), 0) << answer->status().message();
  EXPECT_TRUE(answer->buffer_allocated().shared());
  EXPECT_EQ(answer->buffer_allocated().allocated_size(), kSize);
  EXPECT_EQ(vd->memory_used(), kSize);
  EXPECT_EQ(SessionBytes(), kSize);

  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4096, 0x22222222u)).ok());
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(2, 1, 8192, 7)).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
  EXPECT_EQ(std::count(memfd.data(), memfd.data() + 4096, 0x22), 4096)
      << "hald's fill wrote the tenant's pages";
  ASSERT_EQ(client->async().size(), 1u);
  EXPECT_EQ(client->async()[0].download_complete().inline_data(),
            std::string(4096, '\x22') + std::string(4096, '\x5A'))
      << "hald's download read the tenant's pages";

  // Over the quota (64 MiB): refused with nothing more charged.
  remote::SharedMemory large = TenantMemfd(128 << 20);
  EXPECT_EQ(client->Call(SharedDeviceAllocateMessage(3, 128 << 20), large.fd()).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(vd->memory_used(), kSize);
}

// In an overcommitted pool the residency manager must be able to move device
// buffers, which registered memory cannot: hald neither lists shared device
// memory nor takes a memfd for a device buffer (it allocates its own), and
// still takes a staging one's.
class OvercommittedSharedBuffersTest : public DaemonTest {};

TEST_F(OvercommittedSharedBuffersTest, HaldAllocatesDeviceBuffersItself) {
  StartServer(R"({
  "pool": {"devices": ["cpu:0"], "overcommit_ratio": 2},
  "virtual_devices": [{"name": "a", "memory_quota": "64MiB"}]
})");
  std::unique_ptr<TestClient> client = Attached("a");
  ASSERT_TRUE(client);
  EXPECT_FALSE(ListsSharedDeviceMemory(*client));
  std::shared_ptr<VirtualDevice> vd = FindVirtualDevice("a");
  ASSERT_NE(vd, nullptr);
  remote::SharedMemory memfd = TenantMemfd(kSize);
  absl::StatusOr<DaemonMessage> answer =
      client->Request(SharedDeviceAllocateMessage(1, kSize), memfd.fd());
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->status().code(), 0) << answer->status().message();
  EXPECT_FALSE(answer->buffer_allocated().shared());
  EXPECT_EQ(answer->buffer_allocated().allocated_size(), kSize);
  EXPECT_EQ(vd->memory_used(), kSize);
  EXPECT_EQ(MemfdMappings(), 1) << "only the tenant's own mapping: hald closed the memfd";

  remote::SharedMemory staging = TenantMemfd(kSize);
  answer = client->Request(SharedAllocateMessage(2, kSize), staging.fd());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_TRUE(answer->buffer_allocated().shared());
}

}  // namespace
}  // namespace hal::daemon::testing
