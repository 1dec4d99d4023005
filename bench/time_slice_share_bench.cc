// Achieved compute shares of time-sliced virtual devices (issue 6's
// time-slice figures, issue 10's long kernels): two tenants of one device,
// each saturating it from its own thread with an asynchronous stream of gemm
// kernels, under the pool's strict mode. A tenant's share is measured from
// outside the scheduler (bench/compute_share.h): its completed kernels, each
// at its cost measured alone on a plain context with host clocks, over the
// wall time of the run. The scheduler's own figure (busy time over wall time)
// is reported beside it, never as the verdict.
//
// Scenarios (benchmark arguments): quotas 30/70 and 10/90 with kernels of the
// same length (~10 us); 30/70 and 70/30 where tenant b's kernels last ~2 ms;
// and 10/90 where tenant a's kernels last ~200 ms, twice the burst a tenant
// may save up (a window that forgot old busy time gave such a tenant 68%).
// Kernel lengths are calibrated on the device first (gemm time grows with the
// cube of its size), so the same program measures the CPU, lavapipe or a GPU.
//
// --device=SELECTOR picks the device (default "cpu"); --seconds the window.
#include <algorithm>
#include <cmath>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/compute_share.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

ABSL_FLAG(std::string, device, "cpu", "Selector of the device the tenants share.");
ABSL_FLAG(double, seconds, 2.0, "Seconds each scenario runs its tenants.");

namespace hal::bench {
namespace {

// Kernel lengths by the scenario's length argument: short, long, longer than
// the scheduler's burst.
constexpr double kKernelNs[] = {10e3, 2e6, 200e6};
constexpr uint32_t kTile = share::Gemm::kTile;

// Device time per gemm of size n on a busy queue: a batch of them between two
// events, after a warm-up batch, so that the queue's wake-up latency (which a
// saturating tenant never pays) is not counted. Batches are about 20 ms long.
absl::StatusOr<double> MeasureGemmNs(Device& device, const KernelBundle& bundle, uint32_t n,
                                     double guess_ns) {
  const int batch = std::clamp(static_cast<int>(20e6 / std::max(guess_ns, 1.0)), 1, 32);
  HAL_ASSIGN_OR_RETURN(auto queue, device.CreateQueue());
  HAL_ASSIGN_OR_RETURN(share::Gemm gemm, share::Gemm::Create(device, bundle, n, queue.get()));
  HAL_ASSIGN_OR_RETURN(auto start, device.CreateEvent());
  HAL_ASSIGN_OR_RETURN(auto end, device.CreateEvent());
  for (int i = 0; i < batch; ++i) HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
  HAL_RETURN_IF_ERROR(queue->Signal(*start));
  for (int i = 0; i < batch; ++i) HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
  HAL_RETURN_IF_ERROR(queue->Signal(*end));
  HAL_RETURN_IF_ERROR(queue->Synchronize());
  HAL_ASSIGN_OR_RETURN(uint64_t elapsed, Event::ElapsedNs(*start, *end));
  return static_cast<double>(elapsed) / batch;
}

// The gemm size whose kernel lasts about `target_ns` on `device`: cube-root
// steps from a small size, each at most 4x, until the size settles. Small
// kernels are dominated by fixed costs, hence several rounds.
absl::StatusOr<uint32_t> CalibrateGemmSize(Device& device, const KernelBundle& bundle,
                                           double target_ns) {
  uint32_t n = kTile;
  double ns = 0;
  for (int round = 0; round < 8; ++round) {
    HAL_ASSIGN_OR_RETURN(ns, MeasureGemmNs(device, bundle, n, ns));
    const double scaled =
        std::clamp(n * std::cbrt(target_ns / std::max(ns, 1.0)), n / 2.0, n * 4.0);
    const uint32_t next = std::clamp<uint32_t>(
        static_cast<uint32_t>(std::lround(scaled / kTile)) * kTile, kTile, 4096);
    if (next == n) break;
    ns *= std::pow(static_cast<double>(next) / n, 3);
    n = next;
  }
  return n;
}

// Arguments: quota of tenant a and b in percent, and each one's kernel length
// (an index into kKernelNs).
void BM_TimeSliceShares(benchmark::State& state) {
  const double quota[2] = {state.range(0) / 100.0, state.range(1) / 100.0};
  const int64_t length[2] = {state.range(2), state.range(3)};
  auto fail = [&state](const absl::Status& status) {
    state.SkipWithError(std::string(status.message()).c_str());
  };
  auto selected = SelectDevice(absl::GetFlag(FLAGS_device));
  if (!selected.ok()) return fail(selected.status());
  const PhysicalDevice& physical = *selected->device;
  auto bundle = KernelBundle::ReadFile(StandardBundlePath());
  if (!bundle.ok()) return fail(bundle.status());
  std::vector<share::Tenant> tenants(2);
  {
    // Calibrated on a virtual device of share 1 (nothing to enforce), the
    // same kind of context as the tenants': on the CPU driver a plain
    // context ran the same gemm up to twice as slow.
    auto calibration_pool = Pool::Create({&physical});
    if (!calibration_pool.ok()) return fail(calibration_pool.status());
    VirtualDeviceSpec calibration_spec;
    calibration_spec.name = "calibration";
    calibration_spec.memory_quota = share::Gemm::BytesFor(4096) + (16 << 20);
    auto calibration = (*calibration_pool)->CreateVirtualDevice(calibration_spec);
    if (!calibration.ok()) return fail(calibration.status());
    std::shared_ptr<Device> device = (*calibration)->device();
    for (int i = 0; i < 2; ++i) {
      auto size = CalibrateGemmSize(*device, *bundle, kKernelNs[length[i]]);
      if (!size.ok()) return fail(size.status());
      tenants[i].n = *size;
      // About 0.2 s of kernels per batch, the fastest of 3.
      const int count = std::clamp(static_cast<int>(0.2e9 / kKernelNs[length[i]]), 1, 20000);
      auto cost = share::CostAloneSeconds(*device, *bundle, *size, count, 3);
      if (!cost.ok()) return fail(cost.status());
      tenants[i].cost_alone_s = *cost;
    }
  }

  PoolOptions pool_options;
  pool_options.time_slice = TimeSliceMode::kStrict;
  auto pool = Pool::Create({&physical}, pool_options);
  if (!pool.ok()) return fail(pool.status());
  for (int i = 0; i < 2; ++i) {
    VirtualDeviceSpec spec;
    spec.name = absl::StrCat("tenant-", i);
    spec.memory_quota = share::Gemm::BytesFor(tenants[i].n) + (1 << 20);
    spec.compute_share = quota[i];
    auto vd = (*pool)->CreateVirtualDevice(spec);
    if (!vd.ok()) return fail(vd.status());
    tenants[i].vd = *vd;
  }

  for (auto _ : state) {
    const double seconds = absl::GetFlag(FLAGS_seconds);
    auto wall_s = share::RunContended(tenants, *bundle, seconds);
    if (!wall_s.ok()) return fail(wall_s.status());
    double worst_miss = 0;
    for (int i = 0; i < 2; ++i) {
      const share::Tenant& tenant = tenants[i];
      worst_miss = std::max(worst_miss, std::abs(tenant.share - quota[i]) * 100);
      const std::string name = i == 0 ? "a" : "b";
      state.counters["share_" + name] = tenant.share;
      state.counters["sched_share_" + name] = tenant.busy_ns / 1e9 / *wall_s;
      state.counters["kernel_ms_" + name] = tenant.cost_alone_s * 1e3;
      state.counters["kernels_" + name] = static_cast<double>(tenant.completed);
      // A tenant below its quota that was never held back was limited by its
      // own submission rate, not by the scheduler.
      state.counters["held_back_ms_" + name] = tenant.held_back_ns / 1e6;
    }
    state.counters["worst_miss_points"] = worst_miss;
    state.SetIterationTime(*wall_s);
  }
}

// One iteration each: a scenario is a run of --seconds, not a loop to average.
BENCHMARK(BM_TimeSliceShares)
    ->ArgNames({"quota_a", "quota_b", "len_a", "len_b"})
    ->Args({30, 70, 0, 0})
    ->Args({10, 90, 0, 0})
    ->Args({30, 70, 0, 1})
    ->Args({70, 30, 0, 1})
    ->Args({10, 90, 2, 0})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
