// The CUDA driver's cache of freed memory charged through the runtime's one
// accounting point: a virtual device's usage is its live buffers' allocated
// sizes plus its cache, and equals what the fake libcuda says the device
// holds (counted by the fake itself, not by the runtime).
#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"

namespace hal::testing {
namespace {

class MemoryCacheAccountingTest : public CudaPoolTest {
 protected:
  std::shared_ptr<VirtualDevice> Tenant(uint64_t quota,
                                        std::optional<uint64_t> cache_limit = std::nullopt) {
    pool_ = MakePool();
    if (pool_ == nullptr) return nullptr;
    VirtualDeviceSpec spec = Spec("tenant", quota);
    spec.memory_cache_limit = cache_limit;
    auto vd = MakeVirtualDevice(*pool_, spec);
    if (vd != nullptr) queue_ = *vd->device()->CreateQueue();
    return vd;
  }

  std::shared_ptr<Buffer> Allocate(VirtualDevice& vd, uint64_t size) {
    auto buffer = vd.device()->Allocate(size);
    EXPECT_TRUE(buffer.ok()) << buffer.status();
    if (!buffer.ok()) return nullptr;
    Write(*queue_, **buffer, 0x5a5a5a5a);  // its zeroing is over: no free waits for it
    return *std::move(buffer);
  }

  static uint64_t Live(const std::vector<std::shared_ptr<Buffer>>& buffers) {
    return std::accumulate(buffers.begin(), buffers.end(), uint64_t{0},
                           [](uint64_t sum, const auto& b) { return sum + b->allocated_size(); });
  }

  // A plain context of cuda:0 whose cache holds at most `cache_limit`.
  std::shared_ptr<Device> PlainDevice(uint64_t cache_limit) {
    DeviceOptions options;
    options.memory_cache_limit = cache_limit;
    auto device = cuda_->Open(options);
    EXPECT_TRUE(device.ok()) << device.status();
    return device.ok() ? *std::move(device) : nullptr;
  }

  void TearDown() override {
    queue_.reset();
    pool_.reset();
    CudaPoolTest::TearDown();
  }

  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Queue> queue_;
};

TEST_F(MemoryCacheAccountingTest, UsageIsLiveBuffersPlusCacheAndWhatTheDeviceHolds) {
  auto vd = Tenant(64 * kMiB);
  ASSERT_NE(vd, nullptr);
  std::vector<std::shared_ptr<Buffer>> live;
  for (uint64_t size : {3 * kMiB, 300 * uint64_t{1024}, uint64_t{3000}, kMiB + 1, 5 * kMiB}) {
    live.push_back(Allocate(*vd, size));
  }
  EXPECT_EQ(vd->memory_cached(), 0u);
  EXPECT_EQ(vd->memory_used(), Live(live));
  EXPECT_EQ(fake_.bytes_in_use(0), vd->memory_used());
  // Freed blocks stay in the cache, charged: usage does not drop.
  const uint64_t freed = live[0]->allocated_size() + live[2]->allocated_size();
  live.erase(live.begin() + 2);
  live.erase(live.begin());
  EXPECT_EQ(vd->memory_cached(), freed);
  EXPECT_EQ(vd->memory_used(), Live(live) + vd->memory_cached());
  EXPECT_EQ(fake_.bytes_in_use(0), vd->memory_used());
  // A block of the same size class is reused without a vendor call.
  const uint64_t allocs = fake_.call_count("cuMemAlloc");
  live.push_back(Allocate(*vd, 3 * kMiB));
  EXPECT_EQ(fake_.call_count("cuMemAlloc"), allocs);
  EXPECT_EQ(vd->memory_used(), Live(live) + vd->memory_cached());
  EXPECT_EQ(fake_.bytes_in_use(0), vd->memory_used());
  live.clear();
  EXPECT_EQ(vd->memory_used(), vd->memory_cached());
  EXPECT_EQ(fake_.bytes_in_use(0), vd->memory_used());
}

TEST_F(MemoryCacheAccountingTest, TheLimitBoundsTheCache) {
  auto vd = Tenant(64 * kMiB, 2 * kMiB);
  ASSERT_NE(vd, nullptr);
  std::vector<std::shared_ptr<Buffer>> live;
  for (int i = 0; i < 4; ++i) live.push_back(Allocate(*vd, kMiB));
  live.clear();
  EXPECT_EQ(vd->memory_cached(), 2 * kMiB);
  EXPECT_EQ(vd->memory_used(), 2 * kMiB);
  EXPECT_EQ(fake_.bytes_in_use(0), 2 * kMiB);
}

TEST_F(MemoryCacheAccountingTest, DefaultLimitIsAnEighthOfTheQuota) {
  auto vd = Tenant(8 * kMiB);
  ASSERT_NE(vd, nullptr);
  std::vector<std::shared_ptr<Buffer>> live;
  for (int i = 0; i < 4; ++i) live.push_back(Allocate(*vd, kMiB));
  live.clear();
  EXPECT_EQ(vd->memory_cached(), kMiB);
  EXPECT_EQ(fake_.bytes_in_use(0), kMiB);
}

TEST_F(MemoryCacheAccountingTest, TrimGivesTheCacheBackToTheDevice) {
  auto vd = Tenant(64 * kMiB);
  ASSERT_NE(vd, nullptr);
  Allocate(*vd, 4 * kMiB).reset();
  ASSERT_EQ(vd->memory_cached(), 4 * kMiB);
  vd->device()->TrimMemoryCache();
  EXPECT_EQ(vd->memory_cached(), 0u);
  EXPECT_EQ(vd->memory_used(), 0u);
  EXPECT_EQ(fake_.bytes_in_use(0), 0u);
}

// The cache holds the whole quota; an allocation the cache cannot serve is
// over quota until the cache is given back: the runtime trims and retries,
// and the allocation is not refused.
TEST_F(MemoryCacheAccountingTest, AnAllocationOverQuotaTrimsTheCacheAndRetries) {
  auto vd = Tenant(4 * kMiB, 4 * kMiB);
  ASSERT_NE(vd, nullptr);
  {
    auto a = Allocate(*vd, 2 * kMiB);
    auto b = Allocate(*vd, 2 * kMiB);
  }
  ASSERT_EQ(vd->memory_cached(), 4 * kMiB);
  auto c = vd->device()->Allocate(3 * kMiB);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(vd->quota_refusals(), 0u);
  EXPECT_EQ(vd->memory_cached(), 0u);
  EXPECT_EQ(vd->memory_used(), (*c)->allocated_size());
  EXPECT_EQ(fake_.bytes_in_use(0), vd->memory_used());
  // Beyond the quota with an empty cache: refused, naming the virtual device.
  auto d = vd->device()->Allocate(2 * kMiB);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(d.status().message(), ::testing::HasSubstr("\"tenant\""));
}

TEST_F(MemoryCacheAccountingTest, ALimitAboveTheQuotaIsRefused) {
  pool_ = MakePool();
  ASSERT_NE(pool_, nullptr);
  VirtualDeviceSpec spec = Spec("tenant", 4 * kMiB);
  spec.memory_cache_limit = 8 * kMiB;
  auto vd = pool_->CreateVirtualDevice(spec);
  EXPECT_EQ(vd.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(vd.status().message(), ::testing::HasSubstr("above its memory quota"));
}

// Overcommit needs resident bytes to be exactly the live buffers the
// residency manager can evict: no cache there.
TEST_F(MemoryCacheAccountingTest, AnOvercommittedPoolKeepsNoCache) {
  PoolOptions options;
  options.overcommit_ratio = 2.0;
  pool_ = MakePool(options);
  ASSERT_NE(pool_, nullptr);
  VirtualDeviceSpec spec = Spec("tenant", 8 * kMiB);
  spec.memory_cache_limit = kMiB;
  auto refused = pool_->CreateVirtualDevice(spec);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("overcommits"));
  spec.memory_cache_limit.reset();
  auto vd = MakeVirtualDevice(*pool_, spec);
  ASSERT_NE(vd, nullptr);
  queue_ = *vd->device()->CreateQueue();
  Allocate(*vd, kMiB).reset();
  EXPECT_EQ(vd->memory_cached(), 0u);
  EXPECT_EQ(vd->memory_used(), 0u);
  EXPECT_EQ(fake_.bytes_in_use(0), 0u);
}

// A plain device's cache is counted too (charged to no one), bounded by
// DeviceOptions::memory_cache_limit.
TEST_F(MemoryCacheAccountingTest, APlainDeviceReportsItsCache) {
  auto device = PlainDevice(3 * kMiB);
  ASSERT_NE(device, nullptr);
  std::vector<std::shared_ptr<Buffer>> live;
  for (int i = 0; i < 4; ++i) live.push_back(*device->Allocate(kMiB));
  live.clear();
  EXPECT_EQ(device->cached_bytes(), 3 * kMiB);
  EXPECT_EQ(fake_.bytes_in_use(0), 3 * kMiB);
  device->TrimMemoryCache();
  EXPECT_EQ(device->cached_bytes(), 0u);
  EXPECT_EQ(fake_.bytes_in_use(0), 0u);
}

// The device's memory is held by the context's own cache: it is given back
// when the device refuses an allocation, which then goes through.
TEST_F(MemoryCacheAccountingTest, AnAllocationTheDeviceRefusesTrimsTheCacheFirst) {
  auto device = PlainDevice(256 * kMiB);
  ASSERT_NE(device, nullptr);
  {
    auto a = device->Allocate(100 * kMiB);
    auto b = device->Allocate(100 * kMiB);
    ASSERT_TRUE(a.ok() && b.ok());
  }
  ASSERT_EQ(device->cached_bytes(), 200 * kMiB);
  auto c = device->Allocate(150 * kMiB);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(device->cached_bytes(), 0u);
  EXPECT_EQ(fake_.bytes_in_use(0), (*c)->allocated_size());
}

}  // namespace
}  // namespace hal::testing
