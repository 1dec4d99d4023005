// Memory overcommit on the CPU driver: a pool capped far below the sum of
// its virtual devices' quotas. A property test drives random sequences of
// allocate / write / dispatch / copy / read / free across several virtual
// devices under heavy pressure and compares every read with a model; data is
// never lost whatever the evictions.
#include <thread>

#include "gmock/gmock.h"
#include "tests/pool_fixture.h"
#include "tests/tenant_workload.h"

namespace hal {
namespace {

using ::testing::HasSubstr;
using testing::TenantWorkload;

constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on cpu:0

class OvercommitTest : public testing::PoolTest {
 protected:
  std::unique_ptr<Pool> MakeOvercommittedPool(double ratio) {
    PoolOptions options;
    options.overcommit_ratio = ratio;
    options.capacity_caps[physical_->id()] = kCapacity;
    return MakePool(options);
  }
};

TEST_F(OvercommitTest, RandomWorkloadsNeverLoseData) {
  auto pool = MakeOvercommittedPool(3.0);
  ASSERT_NE(pool, nullptr);
  std::vector<TenantWorkload> workloads;
  for (int t = 0; t < 3; ++t) {
    auto vd = MakeVirtualDevice(*pool, "tenant-" + std::to_string(t), kCapacity, 1.0 / 3);
    ASSERT_NE(vd, nullptr);
    workloads.emplace_back(vd, *bundle_, 1000 + t);
  }
  // Interleave the tenants so each one's buffers are evicted by the others.
  for (int round = 0; round < 40; ++round) {
    for (TenantWorkload& workload : workloads) {
      absl::Status status = workload.Run(25);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  const auto usage = pool->usage();
  ASSERT_EQ(usage.size(), 1u);
  ASSERT_TRUE(usage[0].residency.has_value());
  EXPECT_LE(usage[0].residency->resident_bytes, kCapacity);
  EXPECT_GT(usage[0].residency->evictions, 10u);
  EXPECT_GT(usage[0].residency->restores, 10u);
  RecordProperty("evictions", std::to_string(usage[0].residency->evictions));
}

TEST_F(OvercommitTest, ConcurrentTenantsNeverLoseData) {
  auto pool = MakeOvercommittedPool(3.0);
  ASSERT_NE(pool, nullptr);
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(3);
  std::vector<std::shared_ptr<VirtualDevice>> tenants;
  for (int t = 0; t < 3; ++t) {
    tenants.push_back(MakeVirtualDevice(*pool, "tenant-" + std::to_string(t), kCapacity, 1.0 / 3));
    ASSERT_NE(tenants.back(), nullptr);
  }
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      TenantWorkload workload(tenants[t], *bundle_, 2000 + t);
      results[t] = workload.Run(400);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const absl::Status& status : results) EXPECT_TRUE(status.ok()) << status;
  const Pool::ResidencyUsage traffic = *pool->usage()[0].residency;
  EXPECT_LE(traffic.resident_bytes, kCapacity);
  EXPECT_GT(traffic.evictions, 10u);
  EXPECT_EQ(traffic.bytes_evicted > 0, traffic.evictions > 0);
}

// Under pressure the less important tenant's buffers go first, even when the
// more important tenant's buffer is the least recently used.
TEST_F(OvercommitTest, LessImportantTenantsAreEvictedFirst) {
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  VirtualDeviceSpec spec;
  spec.memory_quota = kCapacity;
  spec.compute_share = 0.5;
  spec.name = "important";
  spec.priority = 1;
  auto important = pool->CreateVirtualDevice(spec);
  spec.name = "batch";
  spec.priority = 0;
  auto batch = pool->CreateVirtualDevice(spec);
  ASSERT_TRUE(important.ok() && batch.ok());
  auto oldest = (*important)->device()->Allocate(kCapacity / 2);
  auto batch_buffer = (*batch)->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(oldest.ok() && batch_buffer.ok());
  // The device is full; room for this comes from the batch tenant.
  auto newest = (*important)->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(pool->usage()[0].residency->evictions, 1u);

  auto queue = (*important)->device()->CreateQueue();
  ASSERT_TRUE(queue.ok());
  std::vector<uint8_t> out(16, 1);
  ASSERT_TRUE((*queue)->CopyDeviceToHost(**oldest, 0, out.data(), out.size()).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(pool->usage()[0].residency->restores, 0u) << "the important buffer stayed resident";
  EXPECT_EQ(out, std::vector<uint8_t>(16, 0));
  auto batch_queue = (*batch)->device()->CreateQueue();
  ASSERT_TRUE(batch_queue.ok());
  ASSERT_TRUE((*batch_queue)->CopyDeviceToHost(**batch_buffer, 0, out.data(), out.size()).ok());
  ASSERT_TRUE((*batch_queue)->Synchronize().ok());
  EXPECT_EQ(pool->usage()[0].residency->restores, 1u) << "the batch buffer had been evicted";
}

TEST_F(OvercommitTest, PinnedAndInFlightBuffersAreNeverEvicted) {
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", kCapacity, 0.5);
  auto b = MakeVirtualDevice(*pool, "b", kCapacity, 0.5);
  ASSERT_TRUE(a && b);
  auto pinned = a->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(pinned.ok());
  auto host = (*pinned)->Map();
  ASSERT_TRUE(host.ok()) << host.status();
  static_cast<uint8_t*>(*host)[0] = 42;
  auto first = b->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(first.ok()) << first.status();
  // The device is full: the pinned buffer cannot move, so b's first buffer
  // (idle) is evicted to make room for the second.
  auto second = b->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(static_cast<uint8_t*>(*host)[0], 42);
  EXPECT_EQ(pool->usage()[0].residency->evictions, 1u);
  // With everything resident pinned or in use, a restore has nowhere to go.
  auto c_queue = b->device()->CreateQueue();
  ASSERT_TRUE(c_queue.ok());
  ASSERT_TRUE((*second)->Map().ok());  // pin the second too
  std::vector<uint8_t> out(16);
  absl::Status status = (*c_queue)->CopyDeviceToHost(**first, 0, out.data(), out.size());
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("cannot make room"));
}

}  // namespace
}  // namespace hal
