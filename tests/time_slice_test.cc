// Time-sliced compute shares on the CPU driver (no hardware partitions):
// tenants saturating the device with asynchronous streams of kernels get the
// share their quota says. Shares are measured from outside the scheduler
// (bench/compute_share.h): completed kernels, each at its cost measured alone,
// over wall time; the scheduler's own busy time is printed beside, never judged.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>

#include "bench/compute_share.h"
#include "gmock/gmock.h"
#include "tests/pool_fixture.h"

namespace hal {
namespace {

// Short kernels (so a burst holds many), and their calibration: the fastest
// of 5 batches of 20.
constexpr uint32_t kShortN = 160;
constexpr int kShortCalibration = 20;

class TimeSliceTest : public testing::PoolTest {
 protected:
  std::unique_ptr<Pool> MakeTimeSlicedPool(TimeSliceMode mode) {
    PoolOptions options;
    options.time_slice = mode;
    return MakePool(options);
  }
  void SetUp() override {
    testing::PoolTest::SetUp();
    // Costs alone are measured on a virtual device of a pool without
    // time-slicing (share 1: nothing to enforce), the same kind of context as
    // the tenants': a gemm ran about twice as slow on a plain context.
    calibration_pool_ = MakePool();
    ASSERT_NE(calibration_pool_, nullptr);
    calibration_ = MakeVirtualDevice(*calibration_pool_, "calibration", 64 << 20);
    ASSERT_NE(calibration_, nullptr);
  }
  void TearDown() override {
    calibration_.reset();
    calibration_pool_.reset();
    testing::PoolTest::TearDown();
  }
  // A tenant running gemms of size n, whose cost alone is the fastest of 5
  // batches of `calibration` kernels, measured once per size and test: tenants
  // running the same kernel share one figure, so a calibration slowed by
  // other processes cannot tilt the split between them.
  share::Tenant Tenant(Pool& pool, const std::string& name, double quota, uint32_t n,
                       int calibration) {
    share::Tenant tenant;
    tenant.n = n;
    tenant.vd = MakeVirtualDevice(
        pool, name, std::max<uint64_t>(16 << 20, share::Gemm::BytesFor(n) * 2), quota);
    auto [cached, inserted] = cost_alone_s_.try_emplace(n, 0.0);
    if (inserted) {
      auto cost = share::CostAloneSeconds(*calibration_->device(), *bundle_, n, calibration, 5);
      EXPECT_TRUE(cost.ok()) << cost.status();
      cached->second = cost.value_or(0);
    }
    tenant.cost_alone_s = cached->second;
    return tenant;
  }
  // The gemm size whose kernel lasts about `seconds` alone (gemm time grows
  // with the cube of the size).
  uint32_t GemmSizeLasting(double seconds) {
    constexpr uint32_t kProbe = 256;
    auto probe = share::CostAloneSeconds(*calibration_->device(), *bundle_, kProbe, 2, 2);
    EXPECT_TRUE(probe.ok()) << probe.status();
    const double n = kProbe * std::cbrt(seconds / std::max(probe.value_or(1), 1e-6));
    return std::clamp<uint32_t>(static_cast<uint32_t>(n / share::Gemm::kTile) * share::Gemm::kTile,
                                kProbe, 2048);
  }

  // The share of a lone 25% tenant in a pool of `mode`, over one second.
  double AloneShare(TimeSliceMode mode) {
    auto pool = MakeTimeSlicedPool(mode);
    if (pool == nullptr) return 0;
    std::vector<share::Tenant> tenants;
    tenants.push_back(Tenant(*pool, "alone", 0.25, kShortN, kShortCalibration));
    Run(tenants, 1.0);
    return tenants[0].share;
  }

  std::unique_ptr<Pool> calibration_pool_;
  std::shared_ptr<VirtualDevice> calibration_;
  std::map<uint32_t, double> cost_alone_s_;  // by gemm size

  void Run(std::vector<share::Tenant>& tenants, double seconds) {
    for (const share::Tenant& tenant : tenants) ASSERT_NE(tenant.vd, nullptr);
    auto wall_s = share::RunContended(tenants, *bundle_, seconds);
    ASSERT_TRUE(wall_s.ok()) << wall_s.status();
    std::cout << "run of " << seconds << " s took " << *wall_s << " s to drain\n";
    for (const share::Tenant& tenant : tenants) {
      std::cout << tenant.vd->name() << ": achieved share " << tenant.share << " ("
                << tenant.completed << " kernels of " << tenant.cost_alone_s * 1e3
                << " ms alone); the scheduler's busy time says " << tenant.busy_ns / 1e9 / *wall_s
                << "\n";
      RecordProperty("share_" + tenant.vd->name(), std::to_string(tenant.share));
    }
  }
};

TEST_F(TimeSliceTest, StrictSharesFollowTheQuotas) {
  auto pool = MakeTimeSlicedPool(TimeSliceMode::kStrict);
  ASSERT_NE(pool, nullptr);
  std::vector<share::Tenant> tenants;
  tenants.push_back(Tenant(*pool, "thirty", 0.3, kShortN, kShortCalibration));
  tenants.push_back(Tenant(*pool, "seventy", 0.7, kShortN, kShortCalibration));
  Run(tenants, 1.5);
  // Load from other processes on a 2-core CI machine slows both tenants alike,
  // so the split is judged.
  EXPECT_NEAR(tenants[0].share / (tenants[0].share + tenants[1].share), 0.3, 0.12);
  EXPECT_GT(tenants[0].held_back_ns, 0u);
}

// A strict 10% tenant whose kernels last twice the burst it may save up must
// pay each one back before the next: forgetting its busy time after a window
// gave it 68% of the device.
TEST_F(TimeSliceTest, StrictShareHoldsWithKernelsLongerThanTheBurst) {
  auto pool = MakeTimeSlicedPool(TimeSliceMode::kStrict);
  ASSERT_NE(pool, nullptr);
  const uint32_t long_n = GemmSizeLasting(0.2);
  std::vector<share::Tenant> tenants;
  tenants.push_back(Tenant(*pool, "ten-long", 0.1, long_n, 1));
  tenants.push_back(Tenant(*pool, "ninety-short", 0.9, kShortN, kShortCalibration));
  Run(tenants, 4.0);
  // Each long kernel is about 4 points of the run, so the share is counted in
  // steps of 4 points, and other processes' load on a 2-core CI machine moves
  // the calibration and the run apart: measured 0.09-0.16 after the fix,
  // 0.65-0.87 before it (68% in issue 10).
  EXPECT_GT(tenants[0].share, 0.03);
  EXPECT_LT(tenants[0].share, 0.22);
}

TEST_F(TimeSliceTest, StrictModeHoldsALoneTenantToItsShare) {
  const double share = AloneShare(TimeSliceMode::kStrict);
  // Other processes' load on a 2-core CI machine raises the measured share
  // when it slows the calibration and lowers it when it slows the run
  // (measured 0.15-0.35); an unenforced share would be about 1.
  EXPECT_GT(share, 0.25 - 0.17);
  EXPECT_LT(share, 0.25 + 0.2);
}

TEST_F(TimeSliceTest, WorkConservingLendsIdleCapacity) {
  // Far above its 0.25, which is what strict mode gives it; other processes'
  // load keeps it below 1.
  EXPECT_GT(AloneShare(TimeSliceMode::kWorkConserving), 0.4);
}

// Time lent while nobody else wanted the device is forgiven: a tenant that
// ran alone far past its share still gets its share once another arrives.
TEST_F(TimeSliceTest, WorkConservingForgivesLentTime) {
  auto pool = MakeTimeSlicedPool(TimeSliceMode::kWorkConserving);
  ASSERT_NE(pool, nullptr);
  std::vector<share::Tenant> first;
  first.push_back(Tenant(*pool, "first", 0.5, kShortN, kShortCalibration));
  Run(first, 1.0);
  std::vector<share::Tenant> both{first[0]};
  both.push_back(Tenant(*pool, "second", 0.5, kShortN, kShortCalibration));
  Run(both, 1.0);
  // Unforgiven, the first would owe about half a second and get nothing.
  EXPECT_GT(both[0].share / (both[0].share + both[1].share), 0.15);
}

}  // namespace
}  // namespace hal
