// One overcommitted pool over cpu:0, vulkan:0 and cuda:0 (the CUDA driver
// over the fake libcuda): tenants of every driver run random workloads,
// interleaved, and none loses data; each device evicts within its capacity,
// cuda:0 at stable addresses where its buffers are large enough. Skips
// vulkan:0 where no Vulkan device exists (the pool is then cpu:0 + cuda:0).
#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"
#include "tests/tenant_workload.h"

namespace hal::testing {
namespace {

constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on each device

class MixedPoolCudaTest : public CudaPoolTest {
 protected:
  std::string Selector() const override { return "cpu:0,vulkan:0,cuda:0"; }

  void TearDown() override {
    tenants_.clear();
    pool_.reset();
    CudaPoolTest::TearDown();
  }

  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
};

TEST_F(MixedPoolCudaTest, TenantsOfEveryDriverNeverLoseData) {
  PoolOptions options;
  options.overcommit_ratio = 2.0;
  options.placement = PlacementPolicy::kSpread;
  for (const PhysicalDevice* device : runtime_->devices()) {
    options.capacity_caps[device->id()] = kCapacity;
  }
  pool_ = MakePool(options);
  ASSERT_NE(pool_, nullptr);
  const size_t devices = runtime_->devices().size();
  std::vector<std::string> drivers;
  for (size_t t = 0; t < 2 * devices; ++t) {
    auto vd = MakeVirtualDevice(*pool_, Spec("tenant-" + std::to_string(t), kCapacity, 0.5));
    ASSERT_NE(vd, nullptr);
    drivers.push_back(vd->placement().driver_name());
    tenants_.push_back(std::move(vd));
  }
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "cuda"), 2);
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "cpu"), 2);
  std::vector<TenantWorkload> workloads;
  for (size_t t = 0; t < tenants_.size(); ++t) {
    workloads.emplace_back(tenants_[t], *bundle_, 5000 + static_cast<uint32_t>(t));
  }
  for (int round = 0; round < 8; ++round) {
    for (TenantWorkload& workload : workloads) {
      const absl::Status status = workload.Run(25);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  for (const Pool::DeviceUsage& usage : pool_->usage()) {
    SCOPED_TRACE(usage.device->id());
    ASSERT_TRUE(usage.residency.has_value());
    EXPECT_LE(usage.residency->resident_bytes, kCapacity);
    EXPECT_GT(usage.residency->evictions, 0u);
  }
  // The fake's own count: what cuda:0 holds stays within the pool's cap.
  EXPECT_LE(fake_.bytes_in_use(0), kCapacity);
}

}  // namespace
}  // namespace hal::testing
