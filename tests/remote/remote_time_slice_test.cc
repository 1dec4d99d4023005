// Time-sliced compute shares between tenant processes: two processes
// saturating virtual devices of 30% and 70% of cpu:0 behind hald get that
// split. Shares are measured from outside the scheduler as
// tests/time_slice_test.cc does (bench/compute_share.h): completed kernels,
// each at its cost measured alone, over the wall time of the contended run.
#include <algorithm>
#include <cmath>
#include <iostream>

#include "bench/compute_share.h"
#include "gmock/gmock.h"
#include "tests/cpu_device_fixture.h"
#include "tests/remote/remote_fixture.h"

namespace hal::testing {
namespace {

// Kernels of about 1 ms alone (a burst holds many, and a run of 1.5 s
// completes hundreds, so the tenants' bursts of 8 count finely), and their
// calibration, as in tests/time_slice_test.cc.
constexpr double kKernelSeconds = 1e-3;
constexpr uint32_t kLargestN = 160;
constexpr int kCalibration = 20;
constexpr double kRunSeconds = 1.5;

struct Calibration {
  uint32_t n = 0;     // the gemm size
  double cost_s = 0;  // its cost alone
};

// The gemm size lasting about kKernelSeconds (at most kLargestN: sanitizer
// builds run kernels 20 times slower) and its cost alone, measured in this
// process on a virtual device of a pool without time-slicing over the same
// CPU driver hald runs the tenants' kernels with (the fastest of 5 batches;
// other load only adds time).
absl::StatusOr<Calibration> Calibrate() {
  HAL_ASSIGN_OR_RETURN(auto runtime, BuildTreeRuntime("cpu:0"));
  HAL_ASSIGN_OR_RETURN(KernelBundle bundle, BuildTreeStandardBundle());
  HAL_ASSIGN_OR_RETURN(auto pool, Pool::Create(runtime->devices()));
  VirtualDeviceSpec spec;
  spec.name = "calibration";
  spec.memory_quota = 64 << 20;
  HAL_ASSIGN_OR_RETURN(auto vd, pool->CreateVirtualDevice(spec));
  HAL_ASSIGN_OR_RETURN(const double probe_s,
                       share::CostAloneSeconds(*vd->device(), bundle, kLargestN, 2, 2));
  // Gemm time grows with the cube of the size.
  const double n = kLargestN * std::cbrt(kKernelSeconds / std::max(probe_s, 1e-9));
  Calibration calibration;
  calibration.n = std::clamp<uint32_t>(
      static_cast<uint32_t>(n / share::Gemm::kTile) * share::Gemm::kTile, 32, kLargestN);
  HAL_ASSIGN_OR_RETURN(calibration.cost_s, share::CostAloneSeconds(*vd->device(), bundle,
                                                                   calibration.n, kCalibration, 5));
  return calibration;
}

using RemoteTimeSliceTest = RemoteTest;

TEST_F(RemoteTimeSliceTest, StrictSharesFollowTheQuotasAcrossProcesses) {
  const auto calibration = Calibrate();
  ASSERT_TRUE(calibration.ok()) << calibration.status();
  ASSERT_NO_FATAL_FAILURE(StartHald({{"thirty", 16 << 20, 0.3}, {"seventy", 16 << 20, 0.7}},
                                    {{"time_slice", "strict"}}));
  std::unique_ptr<TenantProcess> tenants[2] = {StartTenant("thirty"), StartTenant("seventy")};
  ASSERT_TRUE(tenants[0] && tenants[1]);
  const std::string saturate =
      "saturate " + std::to_string(calibration->n) + " " + std::to_string(kRunSeconds);
  for (auto& tenant : tenants) ASSERT_EQ(tenant->Command(saturate).value_or("?"), "set");
  const absl::Time start = absl::Now();
  for (auto& tenant : tenants) ASSERT_TRUE(tenant->process().WriteLine("go").ok());
  double shares[2];
  uint64_t completed[2];
  for (int t = 0; t < 2; ++t) {
    auto done = tenants[t]->NextAnswer();
    ASSERT_TRUE(done.ok()) << done.status();
    ASSERT_TRUE(absl::StartsWith(*done, "done ") &&
                absl::SimpleAtoi(done->substr(5), &completed[t]))
        << *done;
  }
  const double wall_s = absl::ToDoubleSeconds(absl::Now() - start);
  for (int t = 0; t < 2; ++t) {
    shares[t] = static_cast<double>(completed[t]) * calibration->cost_s / wall_s;
    std::cout << (t == 0 ? "thirty" : "seventy") << ": achieved share " << shares[t] << " ("
              << completed[t] << " kernels of " << calibration->cost_s * 1e3 << " ms alone in "
              << wall_s << " s)\n";
  }
  // Load from other processes on a 2-core CI machine slows both tenants
  // alike, so the split is judged (the tolerance of tests/time_slice_test.cc).
  EXPECT_NEAR(shares[0] / (shares[0] + shares[1]), 0.3, 0.12);
  auto thirty = StatusOf("thirty");
  ASSERT_TRUE(thirty.ok()) << thirty.status();
  EXPECT_EQ(thirty->compute_enforcement(), "time-slice");
  EXPECT_GT(thirty->compute_held_back_ns(), 0u);
}

}  // namespace
}  // namespace hal::testing
