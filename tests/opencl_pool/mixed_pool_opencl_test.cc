// One overcommitted pool over cpu:0, vulkan:0 and opencl:0, three real
// drivers in CI (the CPU driver, lavapipe, pocl): tenants of every driver run
// random workloads (the standard kernels; opencl:0 runs their OpenCL C
// images), interleaved and on threads, and none loses data; each device
// evicts within its capacity. Skips, saying why, without an OpenCL device;
// the pool is cpu:0 + opencl:0 where no Vulkan device exists.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"
#include "tests/cpu_device_fixture.h"
#include "tests/tenant_workload.h"

namespace hal::testing {
namespace {

constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on each device
// Two: pocl's device has two compute units, and a compute share on it is a
// sub-device partition of whole units.
constexpr int kTenantsPerDevice = 2;

class MixedPoolOpenClTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = BuildTreeRuntime("cpu:0,vulkan:0,opencl:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    if (!runtime_->FindDevice("opencl:0").ok()) GTEST_SKIP() << "no opencl:0: " << OpenClAbsence();
    auto bundle = BuildTreeStandardBundle();
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));

    PoolOptions options;
    options.overcommit_ratio = 2.0;
    options.placement = PlacementPolicy::kSpread;
    for (const PhysicalDevice* device : runtime_->devices()) {
      options.capacity_caps[device->id()] = kCapacity;
    }
    auto pool = Pool::Create(runtime_->devices(), options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    // Spread deals the tenants out over the devices: two each, 2 MiB of
    // quotas on 1 MiB of capacity.
    const size_t tenants = kTenantsPerDevice * runtime_->devices().size();
    for (size_t t = 0; t < tenants; ++t) {
      VirtualDeviceSpec spec;
      spec.name = "tenant-" + std::to_string(t);
      spec.memory_quota = kCapacity;
      spec.compute_share = 1.0 / kTenantsPerDevice;
      auto vd = pool_->CreateVirtualDevice(spec);
      ASSERT_TRUE(vd.ok()) << vd.status();
      tenants_.push_back(*std::move(vd));
    }
  }

  void TearDown() override {
    // Objects go before the runtime that loaded their drivers.
    tenants_.clear();
    pool_.reset();
    bundle_.reset();
    runtime_.reset();
  }

  std::string OpenClAbsence() const {
    for (const Driver* driver : runtime_->drivers()) {
      if (driver->name() == "opencl") {
        return driver->available() ? "the driver lists no device"
                                   : "the driver is unavailable: " + driver->unavailable_reason();
      }
    }
    return "the build has no OpenCL driver";
  }

  // Every device of the pool took its tenants and kept its resident bytes
  // within its capacity, having to evict where `evicted` (two tenants on
  // threads need not both hold much at once).
  void ExpectEveryDeviceWithinCapacity(bool evicted) const {
    for (const Pool::DeviceUsage& usage : pool_->usage()) {
      SCOPED_TRACE(usage.device->id());
      EXPECT_EQ(usage.quota_placed, kTenantsPerDevice * kCapacity);
      ASSERT_TRUE(usage.residency.has_value());
      EXPECT_LE(usage.residency->resident_bytes, kCapacity);
      if (evicted) {
        EXPECT_GT(usage.residency->evictions, 0u);
      }
    }
  }

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<KernelBundle> bundle_;
  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
};

TEST_F(MixedPoolOpenClTest, SpreadPlacesTenantsOnEveryDriver) {
  std::vector<std::string> drivers;
  for (const auto& vd : tenants_) drivers.push_back(vd->placement().driver_name());
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "opencl"), kTenantsPerDevice);
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "cpu"), kTenantsPerDevice);
  if (runtime_->devices().size() == 3) {
    EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "vulkan"), kTenantsPerDevice);
  }
}

TEST_F(MixedPoolOpenClTest, InterleavedRandomWorkloadsNeverLoseData) {
  std::vector<TenantWorkload> workloads;
  for (size_t t = 0; t < tenants_.size(); ++t) {
    workloads.emplace_back(tenants_[t], *bundle_, 6000 + static_cast<uint32_t>(t));
  }
  for (int round = 0; round < 8; ++round) {
    for (TenantWorkload& workload : workloads) {
      const absl::Status status = workload.Run(25);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  ExpectEveryDeviceWithinCapacity(/*evicted=*/true);
}

TEST_F(MixedPoolOpenClTest, ConcurrentRandomWorkloadsNeverLoseData) {
  std::vector<absl::Status> results(tenants_.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < tenants_.size(); ++t) {
    threads.emplace_back([&, t] {
      TenantWorkload workload(tenants_[t], *bundle_, 7000 + static_cast<uint32_t>(t));
      results[t] = workload.Run(150);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t t = 0; t < tenants_.size(); ++t) {
    EXPECT_TRUE(results[t].ok()) << tenants_[t]->name() << " on "
                                 << tenants_[t]->placement().id() << ": " << results[t];
  }
  ExpectEveryDeviceWithinCapacity(/*evicted=*/false);
}

}  // namespace
}  // namespace hal::testing
