// Buffers in memory shared by tenant and hald, through a real hald.
// Host-staging buffers (protocol 1.3): served by a device with host
// registration (cpu:0, and vulkan:0 where lavapipe has
// VK_EXT_external_memory_host) a staging buffer is one memory shared by
// tenant and hald, charged to the quota; over TCP, where no memfd can travel,
// it falls back to a host shadow. Device buffers of 1 MiB and more (protocol
// 1.6) on CPU devices, whose memory is host memory (cpu:0, and lavapipe with
// that extension): one memory too, which the tenant copies into and out of
// itself while the stream is idle. Either
// way the bytes are right in both directions, in stream order and through a
// dispatch, and a SIGKILLed tenant leaves nothing charged and nothing mapped
// in hald.
#include <signal.h>
#include <stdlib.h>

#include <cstring>
#include <fstream>
#include <numeric>
#include <vector>

#include "absl/strings/match.h"
#include "backends/remote/host_shadow.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "tests/cpu_device_fixture.h"
#include "tests/remote/remote_fixture.h"

namespace hal::testing {
namespace {

constexpr uint64_t kStagingQuota = 16 << 20;
constexpr uint64_t kStagingSize = 1 << 20;  // whole pages, and of the CPU driver's granularity
// A device buffer the remote driver offers hald as a memfd, not a multiple of
// the copy pool's 1 MiB blocks.
constexpr uint64_t kLargeDeviceSize = (3 << 20) + 4096;
static_assert(kLargeDeviceSize >= remote::kSharedDeviceBufferMinBytes);

// Mappings of the remote driver's memfds of one kind (HostShadow names them)
// in hald's address space.
int MappingsOf(pid_t pid, const char* memfd_name) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    if (absl::StrContains(line, std::string("memfd:") + memfd_name)) ++count;
  }
  return count;
}

int StagingMappingsOf(pid_t pid) { return MappingsOf(pid, remote::HostShadow::kStagingMemfdName); }

int DeviceBufferMappingsOf(pid_t pid) {
  return MappingsOf(pid, remote::HostShadow::kDeviceBufferMemfdName);
}

// Why lavapipe cannot serve these tests here; empty when it can.
std::string WhyNoLavapipeWithHostRegistration() {
  auto probe = BuildTreeRuntime("vulkan:0");
  if (!probe.ok() || (*probe)->devices().empty()) return "no vulkan:0 device";
  if (!(*probe)->devices()[0]->properties().capabilities.has(Capability::kHostRegistration)) {
    return "vulkan:0 has no VK_EXT_external_memory_host";
  }
  return "";
}

class RemoteSharedBuffersTest : public RemoteTest {
 protected:
  void TearDown() override {
    // The tenant's objects go before hald is stopped.
    queue_.reset();
    device_.reset();
    runtime_.reset();
    RemoteTest::TearDown();
  }

  // Starts hald serving `device` ("cpu:0", "vulkan:0") as virtual device "vd".
  void StartHaldOn(const std::string& device) {
    HaldProcess::Options options;
    options.hald = HAL_TEST_HALD_PATH;
    options.pool_json = RemotePoolJson({device}, {{"vd", kStagingQuota}});
    options.listen_tcp = true;
    options.environment = {{"HAL_DEVICE_SELECTOR", device}};
    auto hald = HaldProcess::Start(options);
    ASSERT_TRUE(hald.ok()) << hald.status();
    hald_ = *std::move(hald);
  }

  // This process as a tenant of "vd" over the Unix socket, or over TCP with
  // the pool's token.
  void OpenTenant(bool tcp = false) {
    setenv("HAL_REMOTE_ENDPOINT", (tcp ? hald_->tcp_endpoint() : hald_->unix_endpoint()).c_str(),
           1);
    if (tcp) {
      setenv("HAL_REMOTE_TOKEN", kRemoteTestToken, 1);
    } else {
      unsetenv("HAL_REMOTE_TOKEN");
    }
    auto runtime = BuildTreeRuntime("remote:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    ASSERT_EQ(runtime_->devices().size(), 1u) << "hald's log:\n" << hald_->LogTail();
    auto device = runtime_->devices()[0]->Open();
    ASSERT_TRUE(device.ok()) << device.status();
    device_ = *std::move(device);
    auto queue = device_->CreateQueue();
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  std::shared_ptr<Buffer> MustAllocate(uint64_t size, BufferKind kind) {
    auto buffer = device_->Allocate(size, kind);
    EXPECT_TRUE(buffer.ok()) << buffer.status();
    return buffer.ok() ? *std::move(buffer) : nullptr;
  }

  uint64_t MemoryUsed() {
    auto vd = StatusOf("vd");
    EXPECT_TRUE(vd.ok()) << vd.status();
    return vd.ok() ? vd->memory_used_bytes() : ~uint64_t{0};
  }

  // Copies between a staging and a device buffer both ways, through host
  // pointers inside the staging buffer's mapping, and a dispatch writing the
  // staging buffer: every byte as expected.
  void ExpectStagingCarriesBytes() {
    std::shared_ptr<Buffer> staging = MustAllocate(kStagingSize, BufferKind::kHostStaging);
    std::shared_ptr<Buffer> device = MustAllocate(kStagingSize, BufferKind::kDevice);
    ASSERT_TRUE(staging && device);
    auto mapped = staging->Map();
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    auto* host = static_cast<uint8_t*>(*mapped);
    std::vector<uint8_t> pattern(kStagingSize);
    std::iota(pattern.begin(), pattern.end(), uint8_t{3});
    std::memcpy(host, pattern.data(), kStagingSize);

    ASSERT_TRUE(queue_->CopyBuffer(*staging, 0, *device, 0, kStagingSize).ok());
    ASSERT_TRUE(queue_->Fill(*staging, 0, kStagingSize, 0).ok());
    ASSERT_TRUE(queue_->CopyBuffer(*device, 0, *staging, 0, kStagingSize / 2).ok());
    ASSERT_TRUE(queue_->Synchronize().ok());
    EXPECT_EQ(std::memcmp(host, pattern.data(), kStagingSize / 2), 0);
    EXPECT_EQ(host[kStagingSize / 2], 0) << "the fill reached the second half";

    // Host pointers inside the mapping (a pinned pointer, as CUDA has them).
    ASSERT_TRUE(queue_->CopyHostToDevice(host + 4096, *device, kStagingSize / 2, 8192).ok());
    ASSERT_TRUE(
        queue_->CopyDeviceToHost(*device, kStagingSize / 2, host + kStagingSize / 2, 8192).ok());
    ASSERT_TRUE(queue_->Synchronize().ok());
    EXPECT_EQ(std::memcmp(host + kStagingSize / 2, pattern.data() + 4096, 8192), 0);

    auto bundle = KernelBundle::ReadFile(std::string(HAL_TEST_BINARY_DIR) +
                                         "/share/hal/kernels/standard.halb");
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    auto fill = device_->LoadKernel(*bundle, "fill_f32");
    ASSERT_TRUE(fill.ok()) << fill.status();
    const uint32_t elements = 1024;
    struct {
      float value;
      uint32_t n;
    } constants{2.5f, elements};
    const BufferBinding bindings[] = {{staging.get(), 4096}};
    ASSERT_TRUE(queue_->Dispatch(**fill, {elements / 256, 1, 1}, bindings, constants).ok());
    ASSERT_TRUE(queue_->Synchronize().ok());
    std::vector<float> written(elements);
    std::memcpy(written.data(), host + 4096, elements * sizeof(float));
    EXPECT_EQ(std::count(written.begin(), written.end(), 2.5f), elements);
  }

  // Host memory of `size` bytes, each its index times `step` (mod 256).
  static std::vector<uint8_t> Pattern(uint64_t size, uint8_t step) {
    std::vector<uint8_t> bytes(size);
    for (uint64_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * step + i / 4099);
    return bytes;
  }

  // A staging buffer is the tenant's memfd mapped in hald, charged to the
  // quota while it lives and unmapped and uncharged once freed.
  void ExpectAStagingBufferIsOneMemoryWithHald() {
    {
      std::shared_ptr<Buffer> staging = MustAllocate(kStagingSize, BufferKind::kHostStaging);
      ASSERT_NE(staging, nullptr);
      EXPECT_EQ(StagingMappingsOf(hald_->pid()), 1) << "hald maps the tenant's memfd";
      EXPECT_EQ(MemoryUsed(), kStagingSize);
    }
    ASSERT_TRUE(queue_->Synchronize().ok());  // sends the free
    EXPECT_EQ(MemoryUsed(), 0u);
    EXPECT_EQ(StagingMappingsOf(hald_->pid()), 0);
  }

  // The tenant's copy into a shared device buffer reaches hald's device
  // (which copies it on into a small buffer of its own memory, read back
  // through the ordinary path), and what hald's device writes reaches the
  // tenant's copy out.
  void ExpectALargeDeviceBufferIsOneMemoryWithHald() {
    {
      std::shared_ptr<Buffer> large = MustAllocate(kLargeDeviceSize, BufferKind::kDevice);
      std::shared_ptr<Buffer> small = MustAllocate(64 << 10, BufferKind::kDevice);
      ASSERT_TRUE(large && small);
      EXPECT_EQ(DeviceBufferMappingsOf(hald_->pid()), 1) << "the small one is hald's own memory";
      EXPECT_EQ(MemoryUsed(), kLargeDeviceSize + (64 << 10));
      EXPECT_EQ(large->Map().status().code(), absl::StatusCode::kUnimplemented)
          << "device buffers still do not map through hald";

      const std::vector<uint8_t> uploaded = Pattern(kLargeDeviceSize, 7);
      ASSERT_TRUE(queue_->CopyHostToDevice(uploaded.data(), *large, 0, kLargeDeviceSize).ok());
      ASSERT_TRUE(
          queue_->CopyBuffer(*large, kLargeDeviceSize - (64 << 10), *small, 0, 64 << 10).ok());
      std::vector<uint8_t> tail(64 << 10);
      ASSERT_TRUE(queue_->CopyDeviceToHost(*small, 0, tail.data(), tail.size()).ok());
      ASSERT_TRUE(queue_->Synchronize().ok());
      EXPECT_EQ(
          std::memcmp(tail.data(), uploaded.data() + kLargeDeviceSize - tail.size(), tail.size()),
          0);

      ASSERT_TRUE(queue_->Fill(*large, 4096, 1 << 20, 0x01020304u).ok());
      ASSERT_TRUE(queue_->Synchronize().ok());
      std::vector<uint8_t> downloaded(kLargeDeviceSize);
      ASSERT_TRUE(queue_->CopyDeviceToHost(*large, 0, downloaded.data(), kLargeDeviceSize).ok());
      ASSERT_TRUE(queue_->Synchronize().ok());
      EXPECT_EQ(std::memcmp(downloaded.data(), uploaded.data(), 4096), 0);
      const uint8_t filled[4] = {4, 3, 2, 1};
      for (uint64_t i = 4096; i < 4096 + (1 << 20); i += 4) {
        ASSERT_EQ(std::memcmp(downloaded.data() + i, filled, 4), 0) << "byte " << i;
      }
      EXPECT_EQ(
          std::memcmp(downloaded.data() + 4096 + (1 << 20), uploaded.data() + 4096 + (1 << 20),
                      kLargeDeviceSize - 4096 - (1 << 20)),
          0);
    }
    ASSERT_TRUE(queue_->Synchronize().ok());  // sends the frees
    EXPECT_EQ(MemoryUsed(), 0u);
    EXPECT_EQ(DeviceBufferMappingsOf(hald_->pid()), 0);
    EXPECT_TRUE(absl::StrContains(hald_->log(), "shares device buffers' memory with its tenant"));
  }

  // Copies enqueued behind work still running take the ordinary path;
  // whichever path each takes, the stream's order holds.
  void ExpectCopiesOfASharedDeviceBufferKeepTheStreamsOrder() {
    std::shared_ptr<Buffer> large = MustAllocate(kLargeDeviceSize, BufferKind::kDevice);
    ASSERT_NE(large, nullptr);
    const std::vector<uint8_t> first = Pattern(kLargeDeviceSize, 3);
    const std::vector<uint8_t> second = Pattern(kLargeDeviceSize, 5);
    for (int round = 0; round < 8; ++round) {
      std::vector<uint8_t> after_fill(kLargeDeviceSize), after_first(kLargeDeviceSize),
          after_second(kLargeDeviceSize);
      ASSERT_TRUE(queue_->Fill(*large, 0, kLargeDeviceSize - 4096, 0x0B0B0B0Bu).ok());
      ASSERT_TRUE(queue_->CopyDeviceToHost(*large, 0, after_fill.data(), kLargeDeviceSize).ok());
      ASSERT_TRUE(queue_->CopyHostToDevice(first.data(), *large, 0, kLargeDeviceSize).ok());
      ASSERT_TRUE(queue_->CopyDeviceToHost(*large, 0, after_first.data(), kLargeDeviceSize).ok());
      ASSERT_TRUE(queue_->Fill(*large, 0, 4096, 0).ok());
      ASSERT_TRUE(
          queue_->CopyHostToDevice(second.data(), *large, 4096, kLargeDeviceSize - 4096).ok());
      ASSERT_TRUE(queue_->CopyDeviceToHost(*large, 0, after_second.data(), kLargeDeviceSize).ok());
      ASSERT_TRUE(queue_->Synchronize().ok());
      EXPECT_EQ(std::count(after_fill.begin(), after_fill.end() - 4096, 0x0B),
                static_cast<ptrdiff_t>(kLargeDeviceSize - 4096))
          << "round " << round;
      EXPECT_EQ(after_first, first) << "round " << round;
      EXPECT_EQ(std::count(after_second.begin(), after_second.begin() + 4096, 0), 4096)
          << "round " << round;
      EXPECT_EQ(std::memcmp(after_second.data() + 4096, second.data(), kLargeDeviceSize - 4096), 0)
          << "round " << round;
    }
  }

  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<Device> device_;
  std::unique_ptr<Queue> queue_;
};

TEST_F(RemoteSharedBuffersTest, OnCpuAStagingBufferIsOneMemoryWithHaldChargedToTheQuota) {
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("cpu:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ASSERT_NO_FATAL_FAILURE(ExpectAStagingBufferIsOneMemoryWithHald());
  ExpectStagingCarriesBytes();
}

TEST_F(RemoteSharedBuffersTest, OnLavapipeAStagingBufferIsOneMemoryWithHaldChargedToTheQuota) {
  if (const std::string why = WhyNoLavapipeWithHostRegistration(); !why.empty())
    GTEST_SKIP() << why;
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("vulkan:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ASSERT_NO_FATAL_FAILURE(ExpectAStagingBufferIsOneMemoryWithHald());
  ExpectStagingCarriesBytes();
}

TEST_F(RemoteSharedBuffersTest, OnCpuALargeDeviceBufferIsOneMemoryWithHald) {
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("cpu:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ExpectALargeDeviceBufferIsOneMemoryWithHald();
}

TEST_F(RemoteSharedBuffersTest, OnLavapipeALargeDeviceBufferIsOneMemoryWithHald) {
  if (const std::string why = WhyNoLavapipeWithHostRegistration(); !why.empty())
    GTEST_SKIP() << why;
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("vulkan:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ExpectALargeDeviceBufferIsOneMemoryWithHald();
}

TEST_F(RemoteSharedBuffersTest, OnCpuCopiesOfASharedDeviceBufferKeepTheStreamsOrder) {
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("cpu:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ExpectCopiesOfASharedDeviceBufferKeepTheStreamsOrder();
}

TEST_F(RemoteSharedBuffersTest, OnLavapipeCopiesOfASharedDeviceBufferKeepTheStreamsOrder) {
  if (const std::string why = WhyNoLavapipeWithHostRegistration(); !why.empty())
    GTEST_SKIP() << why;
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("vulkan:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant());
  ExpectCopiesOfASharedDeviceBufferKeepTheStreamsOrder();
}

TEST_F(RemoteSharedBuffersTest, OverTcpStagingFallsBackToAHostShadow) {
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("cpu:0"));
  ASSERT_NO_FATAL_FAILURE(OpenTenant(/*tcp=*/true));
  ASSERT_NO_FATAL_FAILURE(ExpectStagingCarriesBytes());
  EXPECT_EQ(StagingMappingsOf(hald_->pid()), 0) << "hald keeps a buffer of its own";
  std::shared_ptr<Buffer> large = MustAllocate(kLargeDeviceSize, BufferKind::kDevice);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(DeviceBufferMappingsOf(hald_->pid()), 0) << "and of device buffers";
}

TEST_F(RemoteSharedBuffersTest, AKilledTenantLeavesNoSharedBufferBehind) {
  ASSERT_NO_FATAL_FAILURE(StartHaldOn("cpu:0"));
  auto tenant = StartTenant("vd");
  ASSERT_NE(tenant, nullptr);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(AllocatedSize(tenant->Command("alloc-staging " + std::to_string(kStagingSize))),
              kStagingSize);
  }
  EXPECT_EQ(MemoryUsed(), 2 * kStagingSize);
  EXPECT_EQ(StagingMappingsOf(hald_->pid()), 2);
  EXPECT_EQ(AllocatedSize(tenant->Command("alloc " + std::to_string(kLargeDeviceSize))),
            kLargeDeviceSize);
  EXPECT_EQ(DeviceBufferMappingsOf(hald_->pid()), 1);
  ASSERT_TRUE(tenant->process().Signal(SIGKILL).ok());
  ASSERT_TRUE(tenant->process().Wait(absl::Seconds(10)).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (MemoryUsed() != 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(MemoryUsed(), 0u);
  EXPECT_EQ(StagingMappingsOf(hald_->pid()), 0);
  EXPECT_EQ(DeviceBufferMappingsOf(hald_->pid()), 0);
  EXPECT_TRUE(hald_->Running());
}

}  // namespace
}  // namespace hal::testing
