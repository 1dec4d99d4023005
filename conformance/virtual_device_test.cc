// Virtual devices on every device: the memory quota is exact and hard,
// objects never cross virtual devices, new memory reads as zeros, and
// overcommitted memory keeps its contents through eviction and restore.
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "conformance/byte_units.h"
#include "conformance/device_test.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class VirtualDevices : public DeviceTest {
 protected:
  std::unique_ptr<Pool> MakePool(double overcommit, uint64_t cap) {
    PoolOptions options;
    options.overcommit_ratio = overcommit;
    options.capacity_caps[physical_device().id()] = cap;
    auto pool = Pool::Create({&physical_device()}, options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }
  std::shared_ptr<VirtualDevice> Tenant(Pool& pool, const std::string& name, uint64_t quota,
                                        double share) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    auto vd = pool.CreateVirtualDevice(spec);
    EXPECT_TRUE(vd.ok()) << vd.status();
    return vd.ok() ? *std::move(vd) : nullptr;
  }
  static std::vector<uint8_t> Read(Queue& queue, const Buffer& buffer) {
    std::vector<uint8_t> bytes(buffer.size());
    EXPECT_TRUE(queue.CopyDeviceToHost(buffer, 0, bytes.data(), bytes.size()).ok());
    EXPECT_TRUE(queue.Synchronize().ok());
    return bytes;
  }
};

TEST_P(VirtualDevices, QuotaIsExactAndHard) {
  auto pool = MakePool(1.0, 16 * kMiB);
  ASSERT_NE(pool, nullptr);
  auto vd = Tenant(*pool, "quota", 4 * kMiB, 1.0);
  ASSERT_NE(vd, nullptr);
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t sum = 0;
  while (true) {
    auto buffer = vd->device()->Allocate(kMiB / 2 + 3);
    if (!buffer.ok()) {
      EXPECT_EQ(buffer.status().code(), absl::StatusCode::kResourceExhausted) << buffer.status();
      break;
    }
    sum += (*buffer)->allocated_size();
    buffers.push_back(*std::move(buffer));
    ASSERT_LE(buffers.size(), 8u) << "the quota of 4 MiB was not enforced";
  }
  EXPECT_EQ(vd->memory_used(), sum);
  EXPECT_LE(vd->memory_used(), vd->memory_quota());
  EXPECT_FALSE(buffers.empty());
  buffers.clear();
  // A caching driver keeps freed blocks, charged to the quota, until trimmed.
  EXPECT_EQ(vd->memory_used(), vd->memory_cached());
  vd->device()->TrimMemoryCache();
  EXPECT_EQ(vd->memory_used(), 0u);
}

TEST_P(VirtualDevices, ObjectsDoNotCrossVirtualDevicesAndMemoryStartsZeroed) {
  auto pool = MakePool(1.0, 16 * kMiB);
  ASSERT_NE(pool, nullptr);
  auto a = Tenant(*pool, "a", 4 * kMiB, 0.5);
  auto b = Tenant(*pool, "b", 4 * kMiB, 0.5);
  ASSERT_TRUE(a && b);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto a_queue, a->device()->CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto b_queue, b->device()->CreateQueue());
  {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(auto secret, a->device()->Allocate(kMiB));
    ASSERT_TRUE(a_queue->Fill(*secret, 0, kMiB, 0x5EC12E7).ok());
    ASSERT_TRUE(a_queue->Synchronize().ok());
    std::vector<uint8_t> stolen(16);
    EXPECT_EQ(b_queue->CopyDeviceToHost(*secret, 0, stolen.data(), stolen.size()).code(),
              absl::StatusCode::kPermissionDenied);
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto fresh, b->device()->Allocate(kMiB + 1));
  EXPECT_EQ(Read(*b_queue, *fresh), std::vector<uint8_t>(kMiB + 1, 0));
}

TEST_P(VirtualDevices, OvercommittedMemoryKeepsItsContents) {
  // Three tenants of 2 MiB on 2 MiB of capacity (fewer where the device's
  // partitions hold fewer): at most one tenant's worth is resident.
  const int count = TenantsSideBySide(3);
  if (count < 2) HAL_CTS_SKIP_UNSUPPORTED("partitions for two tenants side by side");
  const uint64_t capacity = 2 * kMiB;
  auto pool = MakePool(count, capacity);
  ASSERT_NE(pool, nullptr);
  std::mt19937 random(7);
  struct Owned {
    std::shared_ptr<VirtualDevice> vd;
    std::unique_ptr<Queue> queue;
    std::vector<std::shared_ptr<Buffer>> buffers;
    std::vector<std::vector<uint8_t>> model;
  };
  std::vector<Owned> tenants(count);
  for (int t = 0; t < count; ++t) {
    tenants[t].vd = Tenant(*pool, "t" + std::to_string(t), capacity, 1.0 / count);
    ASSERT_NE(tenants[t].vd, nullptr);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(tenants[t].queue, tenants[t].vd->device()->CreateQueue());
    for (int i = 0; i < 6; ++i) {
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto buffer, tenants[t].vd->device()->Allocate(256 * 1024));
      std::vector<uint8_t> bytes(buffer->size());
      for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
      ASSERT_TRUE(tenants[t].queue->CopyHostToDevice(bytes.data(), *buffer, 0, bytes.size()).ok());
      ASSERT_TRUE(tenants[t].queue->Synchronize().ok());
      tenants[t].buffers.push_back(std::move(buffer));
      tenants[t].model.push_back(std::move(bytes));
    }
  }
  // Reading every buffer in turn restores each, evicting the others.
  for (int pass = 0; pass < 2; ++pass) {
    for (Owned& tenant : tenants) {
      for (size_t i = 0; i < tenant.buffers.size(); ++i) {
        ASSERT_EQ(Read(*tenant.queue, *tenant.buffers[i]), tenant.model[i])
            << tenant.vd->name() << " buffer " << i << " pass " << pass;
      }
    }
  }
  const auto usage = pool->usage();
  ASSERT_EQ(usage.size(), 1u);
  ASSERT_TRUE(usage[0].residency.has_value());
  EXPECT_LE(usage[0].residency->resident_bytes, capacity);
  EXPECT_GT(usage[0].residency->evictions, 0u);
  EXPECT_GT(usage[0].residency->restores, 0u);
}

// A new buffer's zeroing runs in stream order: every way of reading it,
// straight after allocation, sees zeros, even where another tenant has just
// freed memory full of its data; in a plain and in an overcommitted pool
// (whose buffers pass the residency manager too).
TEST_P(VirtualDevices, NewMemoryReadsAsZerosThroughEveryPath) {
  constexpr uint32_t kWords = 64 * 1024;
  constexpr uint64_t kSize = 4 * kWords;
  const std::vector<uint8_t> zeros(kSize, 0);
  for (const double overcommit : {1.0, 2.0}) {
    SCOPED_TRACE(::testing::Message() << "overcommit " << overcommit);
    auto pool = MakePool(overcommit, 8 * kMiB);
    ASSERT_NE(pool, nullptr);
    auto owner = Tenant(*pool, "owner", 4 * kMiB, 0.5);
    auto reader = Tenant(*pool, "reader", 4 * kMiB, 0.5);
    ASSERT_TRUE(owner && reader);
    Device& device = *reader->device();
    HAL_CTS_ASSERT_OK_AND_ASSIGN(auto owner_queue, owner->device()->CreateQueue());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(auto queue, device.CreateQueue());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(auto add, device.LoadKernel(kernels(), "vector_add_i32"));
    for (int round = 0; round < 4; ++round) {
      {
        // Memory the reader's allocations may be given next.
        std::vector<std::shared_ptr<Buffer>> secrets;
        for (int i = 0; i < 4; ++i) {
          HAL_CTS_ASSERT_OK_AND_ASSIGN(auto secret, owner->device()->Allocate(kSize));
          HAL_CTS_ASSERT_OK(owner_queue->Fill(*secret, 0, kSize, 0x5EC12E7));
          secrets.push_back(std::move(secret));
        }
        HAL_CTS_ASSERT_OK(owner_queue->Synchronize());
      }
      std::vector<uint8_t> read(kSize, 1);
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto direct, device.Allocate(kSize));
      HAL_CTS_ASSERT_OK(queue->CopyDeviceToHost(*direct, 0, read.data(), kSize));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto source, device.Allocate(kSize));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto copied, device.Allocate(kSize, BufferKind::kHostStaging));
      HAL_CTS_ASSERT_OK(queue->CopyBuffer(*source, 0, *copied, 0, kSize));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto a, device.Allocate(kSize));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto b, device.Allocate(kSize));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto sum, device.Allocate(kSize));
      const BufferBinding bindings[] = {{a.get(), 0}, {b.get(), 0}, {sum.get(), 0}};
      HAL_CTS_ASSERT_OK(queue->Dispatch(
          *add, {WorkgroupsFor(kWords, kElementwiseWorkgroupSize), 1, 1}, bindings, kWords));
      HAL_CTS_ASSERT_OK(queue->Synchronize());
      EXPECT_EQ(read, zeros) << "read by a copy to host";
      EXPECT_EQ(Read(*queue, *copied), zeros) << "read by a copy between buffers";
      EXPECT_EQ(Read(*queue, *sum), zeros) << "read by a kernel";
      // Mapped straight after allocation, with no queue involved.
      HAL_CTS_ASSERT_OK_AND_ASSIGN(auto mapped, device.Allocate(kSize, BufferKind::kHostStaging));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, mapped->Map());
      const auto* bytes = static_cast<const uint8_t*>(host);
      EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + kSize), zeros) << "read through Map";
    }
  }
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(VirtualDevices);

}  // namespace
}  // namespace hal::cts
