// The time-slice scheduler on the CUDA driver, as on the others: on a device
// without green contexts (the fake's `green=0`), two strict tenants saturating
// it with gemms split it as their shares say. The scheduler measures busy time
// from the CUDA driver's event timestamps; the shares are judged from outside
// it (bench/compute_share.h: completed kernels at their cost measured alone).
#include <iostream>

#include "bench/compute_share.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"

namespace hal {
namespace {

using testing::kMiB;

class TimeSliceCudaTest : public testing::CudaPoolTest {
 protected:
  std::string Config() const override { return "memory_mib=512;green=0"; }
};

TEST_F(TimeSliceCudaTest, StrictSharesFollowTheQuotas) {
  constexpr uint32_t kN = 160;
  PoolOptions options;
  options.time_slice = TimeSliceMode::kStrict;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  // The cost alone is measured on a virtual device of a pool without
  // time-slicing, the same kind of context as the tenants'.
  auto calibration_pool = MakePool();
  ASSERT_NE(calibration_pool, nullptr);
  auto calibration = MakeVirtualDevice(*calibration_pool, Spec("calibration", 16 * kMiB));
  ASSERT_NE(calibration, nullptr);
  auto cost = share::CostAloneSeconds(*calibration->device(), *bundle_, kN, 20, 5);
  ASSERT_TRUE(cost.ok()) << cost.status();

  std::vector<share::Tenant> tenants(2);
  const std::pair<const char*, double> quotas[] = {{"thirty", 0.3}, {"seventy", 0.7}};
  for (size_t i = 0; i < tenants.size(); ++i) {
    tenants[i].n = kN;
    tenants[i].cost_alone_s = *cost;
    tenants[i].vd = MakeVirtualDevice(*pool, Spec(quotas[i].first, 16 * kMiB, quotas[i].second));
    ASSERT_NE(tenants[i].vd, nullptr);
    EXPECT_EQ(tenants[i].vd->compute_enforcement(), ComputeEnforcement::kTimeSlice);
  }
  auto wall_s = share::RunContended(tenants, *bundle_, 1.5);
  ASSERT_TRUE(wall_s.ok()) << wall_s.status();
  for (const share::Tenant& tenant : tenants) {
    ASSERT_TRUE(tenant.result.ok()) << tenant.result;
    std::cout << tenant.vd->name() << ": achieved share " << tenant.share << " ("
              << tenant.completed << " kernels of " << tenant.cost_alone_s * 1e3
              << " ms alone); the scheduler's busy time says " << tenant.busy_ns / 1e9 / *wall_s
              << "\n";
    // The scheduler saw device-busy time through the driver's timestamps.
    EXPECT_GT(tenant.busy_ns, 0u);
  }
  // Load from other processes slows both tenants alike, so the split is judged.
  EXPECT_NEAR(tenants[0].share / (tenants[0].share + tenants[1].share), 0.3, 0.12);
  EXPECT_GT(tenants[0].held_back_ns, 0u);
}

}  // namespace
}  // namespace hal
