// Virtual devices on a mixed-vendor pool: the CPU driver's device and the
// Vulkan driver's first device (lavapipe in CI) in one overcommitted pool.
// The overcommit property test runs its random workloads on tenants of both
// devices at once, interleaved and on threads; the quota, isolation and
// residency logic above the driver ABI must hold on each. Skips, saying why,
// where the Vulkan driver or a Vulkan device is absent.
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/fault_injection.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"
#include "tests/cpu_device_fixture.h"
#include "tests/tenant_workload.h"

namespace hal {
namespace {

using testing::TenantWorkload;

constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on each device
constexpr int kTenants = 6;

class MixedPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = testing::BuildTreeRuntime("cpu:0,vulkan:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    if (runtime_->devices().size() < 2) GTEST_SKIP() << "no Vulkan device: " << VulkanAbsence();
    auto bundle = testing::BuildTreeStandardBundle();
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));

    PoolOptions pool_options;
    pool_options.overcommit_ratio = 3.0;
    pool_options.placement = PlacementPolicy::kSpread;
    for (const PhysicalDevice* device : runtime_->devices()) {
      pool_options.capacity_caps[device->id()] = kCapacity;
    }
    auto pool = Pool::Create(runtime_->devices(), pool_options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    // Spread alternates the tenants between the two devices: three each,
    // 3 MiB of quotas on 1 MiB of capacity.
    for (int t = 0; t < kTenants; ++t) {
      VirtualDeviceSpec spec;
      spec.name = "tenant-" + std::to_string(t);
      spec.memory_quota = kCapacity;
      spec.compute_share = 1.0 / 3;
      auto vd = pool_->CreateVirtualDevice(spec);
      ASSERT_TRUE(vd.ok()) << vd.status();
      tenants_.push_back(*std::move(vd));
    }
  }

  void TearDown() override {
    SetFaultInjectionEnabled(false);
    // Objects go before the runtime that loaded their drivers.
    tenants_.clear();
    pool_.reset();
    bundle_.reset();
    runtime_.reset();
  }

  std::string VulkanAbsence() const {
    for (const Driver* driver : runtime_->drivers()) {
      if (driver->name() == "vulkan") {
        return driver->available() ? "the driver lists no device"
                                   : "the driver is unavailable: " + driver->unavailable_reason();
      }
    }
    return "the build has no Vulkan driver";
  }

  // Every device of the pool took tenants, had to evict, and kept its
  // resident bytes within its capacity.
  void ExpectEveryDeviceOvercommitted() const {
    for (const Pool::DeviceUsage& usage : pool_->usage()) {
      SCOPED_TRACE(usage.device->id());
      EXPECT_EQ(usage.quota_placed, kTenants / 2 * kCapacity);
      ASSERT_TRUE(usage.residency.has_value());
      EXPECT_LE(usage.residency->resident_bytes, kCapacity);
      EXPECT_GT(usage.residency->evictions, 10u);
      EXPECT_GT(usage.residency->restores, 10u);
    }
  }

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<KernelBundle> bundle_;
  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
};

TEST_F(MixedPoolTest, SpreadPlacesTenantsOnBothDrivers) {
  std::vector<std::string> drivers;
  for (const auto& vd : tenants_) drivers.push_back(vd->placement().driver_name());
  EXPECT_THAT(drivers,
              ::testing::UnorderedElementsAre("cpu", "cpu", "cpu", "vulkan", "vulkan", "vulkan"));
}

TEST_F(MixedPoolTest, InterleavedRandomWorkloadsNeverLoseData) {
  std::vector<TenantWorkload> workloads;
  for (int t = 0; t < kTenants; ++t) workloads.emplace_back(tenants_[t], *bundle_, 3000 + t);
  for (int round = 0; round < 20; ++round) {
    for (TenantWorkload& workload : workloads) {
      const absl::Status status = workload.Run(25);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  ExpectEveryDeviceOvercommitted();
}

TEST_F(MixedPoolTest, ConcurrentRandomWorkloadsNeverLoseData) {
  std::vector<absl::Status> results(kTenants);
  std::vector<std::thread> threads;
  for (int t = 0; t < kTenants; ++t) {
    threads.emplace_back([&, t] {
      TenantWorkload workload(tenants_[t], *bundle_, 4000 + t);
      results[t] = workload.Run(300);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : results) EXPECT_TRUE(status.ok()) << status;
  ExpectEveryDeviceOvercommitted();
}

// A buffer of a tenant on one driver's device bound through a tenant on the
// other driver's device: refused, whatever drivers the two use.
TEST_F(MixedPoolTest, ObjectsNeverCrossDriversOrTenants) {
  const auto& cpu_tenant =
      tenants_[0]->placement().driver_name() == "cpu" ? tenants_[0] : tenants_[1];
  const auto& vulkan_tenant = &cpu_tenant == &tenants_[0] ? tenants_[1] : tenants_[0];
  ASSERT_EQ(vulkan_tenant->placement().driver_name(), "vulkan");
  auto buffer = cpu_tenant->device()->Allocate(4096);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  auto queue = vulkan_tenant->device()->CreateQueue();
  ASSERT_TRUE(queue.ok()) << queue.status();
  std::vector<uint8_t> out(16);
  const absl::Status status = (*queue)->CopyDeviceToHost(**buffer, 0, out.data(), out.size());
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(vulkan_tenant->memory_used(), 0u);
}

// A device lost in one tenant's work on the Vulkan device (injected in front
// of the real driver) fails that tenant alone: the other tenant on the same
// Vulkan device and the tenants on the CPU device keep working.
TEST_F(MixedPoolTest, ALostVirtualDeviceFailsAloneWhateverItsDriver) {
  SetFaultInjectionEnabled(true);
  std::shared_ptr<VirtualDevice> lost;
  for (const auto& vd : tenants_) {
    if (vd->placement().driver_name() == "vulkan") {
      lost = vd;
      break;
    }
  }
  ASSERT_NE(lost, nullptr);
  ASSERT_TRUE(InjectDeviceLost(*lost->device()).ok());
  TenantWorkload lost_workload(lost, *bundle_, 5000);
  const absl::Status failed = lost_workload.Run(20);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_EQ(lost->device()->Allocate(64).status().code(), absl::StatusCode::kUnavailable);
  for (int t = 0; t < kTenants; ++t) {
    if (tenants_[t] == lost) continue;
    TenantWorkload workload(tenants_[t], *bundle_, 5100 + t);
    const absl::Status status = workload.Run(40);
    EXPECT_TRUE(status.ok()) << tenants_[t]->name() << " on " << tenants_[t]->placement().id()
                             << ": " << status;
  }
}

}  // namespace
}  // namespace hal
