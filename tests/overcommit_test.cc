// Memory overcommit on the CPU driver: a pool capped far below the sum of
// its virtual devices' quotas. A property test drives random sequences of
// allocate / write / dispatch / copy / read / free across several virtual
// devices under heavy pressure and compares every read with a model; data is
// never lost whatever the evictions.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "hal/fault_injection.h"
#include "hal/status_macros.h"
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
  // Two buffers of half the capacity on `vd`, written with `data` through
  // `queue` (not synchronized); empty (with a test failure) if refused.
  static std::vector<std::shared_ptr<Buffer>> TwoWrittenHalves(VirtualDevice& vd, Queue& queue,
                                                               const std::vector<uint8_t>& data) {
    std::vector<std::shared_ptr<Buffer>> buffers;
    for (int i = 0; i < 2; ++i) {
      auto buffer = vd.device()->Allocate(data.size());
      absl::Status status = buffer.ok()
                                ? queue.CopyHostToDevice(data.data(), **buffer, 0, data.size())
                                : buffer.status();
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok()) return {};
      buffers.push_back(*std::move(buffer));
    }
    return buffers;
  }
  // Every buffer reads back as `data` through `queue`.
  static void ExpectContents(Queue& queue, const std::vector<std::shared_ptr<Buffer>>& buffers,
                             const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(data.size());
    for (const auto& buffer : buffers) {
      ASSERT_TRUE(queue.CopyDeviceToHost(*buffer, 0, out.data(), out.size()).ok());
      ASSERT_TRUE(queue.Synchronize().ok());
      EXPECT_EQ(out, data);
    }
  }
  // A tenant with a whole device's quota and half its compute.
  static std::shared_ptr<VirtualDevice> MakeTenant(Pool& pool, const std::string& name,
                                                   int priority) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = kCapacity;
    spec.compute_share = 0.5;
    spec.priority = priority;
    auto vd = pool.CreateVirtualDevice(spec);
    EXPECT_TRUE(vd.ok()) << vd.status();
    return vd.ok() ? *std::move(vd) : nullptr;
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
  auto important = MakeTenant(*pool, "important", 1);
  auto batch = MakeTenant(*pool, "batch", 0);
  ASSERT_TRUE(important && batch);
  auto oldest = important->device()->Allocate(kCapacity / 2);
  auto batch_buffer = batch->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(oldest.ok() && batch_buffer.ok());
  // The device is full; room for this comes from the batch tenant.
  auto newest = important->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(pool->usage()[0].residency->evictions, 1u);

  auto queue = important->device()->CreateQueue();
  ASSERT_TRUE(queue.ok());
  std::vector<uint8_t> out(16, 1);
  ASSERT_TRUE((*queue)->CopyDeviceToHost(**oldest, 0, out.data(), out.size()).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(pool->usage()[0].residency->restores, 0u) << "the important buffer stayed resident";
  EXPECT_EQ(out, std::vector<uint8_t>(16, 0));
  auto batch_queue = batch->device()->CreateQueue();
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

// A tenant that waited for its work through an event and never synchronized
// its queue holds no room: the other tenant's copy finds that work completed
// and evicts its buffers instead of stalling until the limit and failing.
TEST_F(OvercommitTest, CompletedWorkOfAnUnsynchronizedQueueMakesRoom) {
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", kCapacity, 0.5);
  auto b = MakeVirtualDevice(*pool, "b", kCapacity, 0.5);
  ASSERT_TRUE(a && b);
  auto a_queue = a->device()->CreateQueue();
  auto a_done = a->device()->CreateEvent();
  ASSERT_TRUE(a_queue.ok() && a_done.ok());
  const std::vector<uint8_t> data(kCapacity / 2, 7);
  const auto a_buffers = TwoWrittenHalves(*a, **a_queue, data);
  ASSERT_EQ(a_buffers.size(), 2u);
  ASSERT_TRUE((*a_queue)->Signal(**a_done).ok());
  ASSERT_TRUE((*a_done)->Wait().ok());  // a's work is done; its queue never synchronizes

  auto b_buffer = b->device()->Allocate(kCapacity / 2);
  auto b_queue = b->device()->CreateQueue();
  ASSERT_TRUE(b_buffer.ok() && b_queue.ok());
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = (*b_queue)->CopyHostToDevice(data.data(), **b_buffer, 0, data.size());
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_TRUE((*b_queue)->Synchronize().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_GE(pool->usage()[0].residency->evictions, 1u);
  // a's data survived the eviction.
  ExpectContents(**a_queue, a_buffers, data);
}

// Eviction copies a whole buffer without the device's residency lock: while
// one tenant's eviction copy is held up (fault injection), another tenant
// binds and reads its resident buffer and allocates.
TEST_F(OvercommitTest, EvictionCopiesDoNotBlockOtherTenants) {
  SetFaultInjectionEnabled(true);
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", kCapacity, 0.5);
  auto b = MakeVirtualDevice(*pool, "b", kCapacity, 0.5);
  ASSERT_TRUE(a && b);
  auto a_old = a->device()->Allocate(kCapacity / 2);  // the least recently used: evicted
  auto b_buffer = b->device()->Allocate(kCapacity / 4);
  auto b_queue = b->device()->CreateQueue();
  ASSERT_TRUE(a_old.ok() && b_buffer.ok() && b_queue.ok());
  const std::vector<uint8_t> data(kCapacity / 4, 9);
  ASSERT_TRUE((*b_queue)->CopyHostToDevice(data.data(), **b_buffer, 0, data.size()).ok());
  ASSERT_TRUE((*b_queue)->Synchronize().ok());

  std::promise<void> copying;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> first{true};
  ASSERT_TRUE(InjectResidencyCopyHook(*pool, physical_->id(), [&] {
                if (!first.exchange(false)) return;
                copying.set_value();
                released.wait_for(std::chrono::seconds(30));
              }).ok());
  absl::StatusOr<std::shared_ptr<Buffer>> a_new = absl::UnknownError("not run");
  std::thread evictor([&] { a_new = a->device()->Allocate(kCapacity / 2); });
  ASSERT_EQ(copying.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);

  // Room for b's allocation is left: it needs no eviction.
  auto other_tenant = std::async(std::launch::async, [&]() -> absl::Status {
    std::vector<uint8_t> out(data.size());
    HAL_RETURN_IF_ERROR((*b_queue)->CopyDeviceToHost(**b_buffer, 0, out.data(), out.size()));
    HAL_RETURN_IF_ERROR((*b_queue)->Synchronize());
    if (out != data) return absl::DataLossError("b's buffer changed");
    return b->device()->Allocate(4096).status();
  });
  const bool proceeded =
      other_tenant.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  evictor.join();
  ASSERT_TRUE(InjectResidencyCopyHook(*pool, physical_->id(), nullptr).ok());
  SetFaultInjectionEnabled(false);
  EXPECT_TRUE(proceeded) << "the other tenant waited for the eviction copy";
  const absl::Status other_status = other_tenant.get();
  EXPECT_TRUE(other_status.ok()) << other_status;
  ASSERT_TRUE(a_new.ok()) << a_new.status();
  EXPECT_EQ(pool->usage()[0].residency->evictions, 1u);
}

// A virtual device cannot pin (map, in an overcommitted pool) more than its
// pin limit, so a low-priority tenant mapping its whole quota does not leave
// a more important tenant without room.
TEST_F(OvercommitTest, PinnedBytesAreBoundedPerVirtualDevice) {
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  auto batch = MakeTenant(*pool, "batch", 0);  // default pin limit: quota / ratio
  auto important = MakeTenant(*pool, "important", 1);
  ASSERT_TRUE(batch && important);
  auto first = batch->device()->Allocate(kCapacity / 2);
  auto second = batch->device()->Allocate(kCapacity / 2);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->Map().ok());
  ASSERT_TRUE((*first)->Map().ok()) << "mapping again pins nothing more";
  auto refused = (*second)->Map();
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("\"batch\" pin limit exceeded: limit ", kCapacity / 2,
                                     " bytes, pinned ", kCapacity / 2, " bytes, request ",
                                     (*second)->allocated_size(), " bytes")));
  // Unpinned, the second buffer makes room for the important tenant.
  auto important_buffer = important->device()->Allocate(kCapacity / 2);
  auto queue = important->device()->CreateQueue();
  ASSERT_TRUE(important_buffer.ok() && queue.ok());
  const std::vector<uint8_t> data(kCapacity / 2, 5);
  absl::Status status = (*queue)->CopyHostToDevice(data.data(), **important_buffer, 0, data.size());
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(pool->usage()[0].residency->evictions, 1u);
  // Freeing a pinned buffer gives its pin back.
  first->reset();
  EXPECT_TRUE((*second)->Map().ok());

  VirtualDeviceSpec spec;
  spec.name = "greedy";
  spec.memory_quota = kCapacity;
  spec.pin_limit = kCapacity + 1;
  EXPECT_EQ(pool->CreateVirtualDevice(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

// Admission reserves host memory for what overcommit may evict (the quotas
// placed on a device above its capacity) and refuses what would pass the
// pool's host memory limit.
TEST_F(OvercommitTest, AdmissionReservesHostMemoryForEvictions) {
  PoolOptions options;
  options.overcommit_ratio = 3.0;
  options.capacity_caps[physical_->id()] = kCapacity;
  options.host_memory_limit_bytes = kCapacity;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->host_memory_limit(), kCapacity);
  // Unset, the limit is what the host has available (far more than 1 MiB).
  auto unlimited = MakeOvercommittedPool(3.0);
  ASSERT_NE(unlimited, nullptr);
  EXPECT_GT(unlimited->host_memory_limit(), kCapacity);
  ASSERT_NE(MakeVirtualDevice(*pool, "a", kCapacity, 0.3), nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "b", kCapacity, 0.3), nullptr);
  EXPECT_EQ(pool->usage()[0].residency->host_reserved_bytes, kCapacity);
  VirtualDeviceSpec spec;
  spec.name = "c";
  spec.memory_quota = kCapacity;
  spec.compute_share = 0.3;
  auto refused = pool->CreateVirtualDevice(spec);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("evict up to ", 2 * kCapacity, " bytes")));
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("host memory limit of ", kCapacity, " bytes")));
  EXPECT_EQ(pool->virtual_devices().size(), 2u);
  EXPECT_EQ(pool->usage()[0].residency->host_reserved_bytes, kCapacity);
}

// An eviction that would pass the pool's host memory limit (an injected
// stand-in for the host running out) fails with ResourceExhausted, and
// nothing moved.
TEST_F(OvercommitTest, EvictionPastTheHostMemoryLimitFailsCleanly) {
  PoolOptions options;
  options.overcommit_ratio = 2.0;
  options.capacity_caps[physical_->id()] = kCapacity;
  options.host_memory_limit_bytes = kCapacity / 4;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", kCapacity, 0.5);
  auto b = MakeVirtualDevice(*pool, "b", kCapacity / 4, 0.5);  // reserves kCapacity / 4
  ASSERT_TRUE(a && b);
  auto a_queue = a->device()->CreateQueue();
  ASSERT_TRUE(a_queue.ok());
  const std::vector<uint8_t> data(kCapacity / 2, 3);
  const auto a_buffers = TwoWrittenHalves(*a, **a_queue, data);
  ASSERT_EQ(a_buffers.size(), 2u);
  ASSERT_TRUE((*a_queue)->Synchronize().ok());
  // Making room for b means evicting half the device: past the limit.
  auto b_buffer = b->device()->Allocate(kCapacity / 4);
  auto b_queue = b->device()->CreateQueue();
  ASSERT_TRUE(b_buffer.ok() && b_queue.ok());
  absl::Status status = (*b_queue)->Fill(**b_buffer, 0, kCapacity / 4, 1);
  ASSERT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_THAT(status.message(),
              HasSubstr(absl::StrCat("the pool's host memory limit of ", kCapacity / 4, " bytes")));
  const Pool::ResidencyUsage usage = *pool->usage()[0].residency;
  EXPECT_EQ(usage.evictions, 0u);
  EXPECT_EQ(usage.resident_bytes, kCapacity);
  EXPECT_EQ(usage.host_used_bytes, 0u);
  ExpectContents(**a_queue, a_buffers, data);
}

// The copy hook is fault injection: refused while that is off, and only for
// a device of the pool that overcommits.
TEST_F(OvercommitTest, CopyHookNeedsFaultInjectionAndAnOvercommittedDevice) {
  auto pool = MakeOvercommittedPool(2.0);
  ASSERT_NE(pool, nullptr);
  SetFaultInjectionEnabled(false);
  EXPECT_EQ(InjectResidencyCopyHook(*pool, physical_->id(), [] {}).code(),
            absl::StatusCode::kFailedPrecondition);
  SetFaultInjectionEnabled(true);
  EXPECT_EQ(InjectResidencyCopyHook(*pool, "cpu:7", [] {}).code(), absl::StatusCode::kNotFound);
  auto plain = MakePool();
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(InjectResidencyCopyHook(*plain, physical_->id(), [] {}).code(),
            absl::StatusCode::kFailedPrecondition);
  SetFaultInjectionEnabled(false);
}

}  // namespace
}  // namespace hal
