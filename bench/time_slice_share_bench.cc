// Achieved compute shares of time-sliced virtual devices (issue 6's
// time-slice figures): two tenants of one device, each saturating it from its
// own thread with an asynchronous stream of gemm kernels, under the pool's
// strict mode. A tenant's share is its device-busy time, measured by the
// runtime from event timestamps, over the wall time of the run.
//
// Scenarios (benchmark arguments): quotas 30/70 and 10/90 with kernels of the
// same length (~10 us), and 30/70 and 70/30 where one tenant's kernels last
// ~10 us and the other's ~2 ms. Kernel lengths are calibrated on the device
// first (gemm time grows with the cube of its size), so the same program
// measures the CPU, lavapipe or a GPU. The counters are the achieved shares,
// the larger miss from the quotas in percentage points (issue 6's target is
// at most 5 over a 2-second window), the measured mean kernel lengths, and
// how long each tenant's submissions were held back.
//
// --device=SELECTOR picks the device (default "cpu"); --seconds the window.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

ABSL_FLAG(std::string, device, "cpu", "Selector of the device the tenants share.");
ABSL_FLAG(double, seconds, 2.0, "Seconds each scenario runs its tenants.");

namespace hal::bench {
namespace {

constexpr double kShortKernelNs = 10e3;
constexpr double kLongKernelNs = 2e6;
constexpr uint32_t kTile = 16;  // gemm_f32's workgroup is 16x16

struct GemmConstants {
  uint32_t m, n, k;
  float alpha, beta;
};

// Square gemm of size n on `device`: its buffers and kernel.
struct Gemm {
  static absl::StatusOr<Gemm> Create(Device& device, const KernelBundle& bundle, uint32_t n) {
    Gemm gemm;
    gemm.n = n;
    HAL_ASSIGN_OR_RETURN(gemm.kernel, device.LoadKernel(bundle, "gemm_f32"));
    for (auto& buffer : gemm.buffers) {
      HAL_ASSIGN_OR_RETURN(buffer, device.Allocate(uint64_t{n} * n * sizeof(float)));
    }
    return gemm;
  }
  absl::Status Dispatch(Queue& queue) const {
    const BufferBinding bindings[] = {{buffers[0].get()}, {buffers[1].get()}, {buffers[2].get()}};
    const uint32_t tiles = (n + kTile - 1) / kTile;
    return queue.Dispatch(*kernel, {tiles, tiles, 1}, bindings, GemmConstants{n, n, n, 1.0f, 0.0f});
  }

  uint32_t n = 0;
  std::shared_ptr<Kernel> kernel;
  std::shared_ptr<Buffer> buffers[3];
};

// Device time per gemm of size n on a busy queue: a batch of them between two
// events, after a warm-up batch, so that the queue's wake-up latency (which a
// saturating tenant never pays) is not counted.
absl::StatusOr<double> MeasureGemmNs(Device& device, const KernelBundle& bundle, uint32_t n) {
  constexpr int kBatch = 32;
  HAL_ASSIGN_OR_RETURN(Gemm gemm, Gemm::Create(device, bundle, n));
  HAL_ASSIGN_OR_RETURN(auto queue, device.CreateQueue());
  HAL_ASSIGN_OR_RETURN(auto start, device.CreateEvent());
  HAL_ASSIGN_OR_RETURN(auto end, device.CreateEvent());
  for (int i = 0; i < kBatch; ++i) HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
  HAL_RETURN_IF_ERROR(queue->Signal(*start));
  for (int i = 0; i < kBatch; ++i) HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
  HAL_RETURN_IF_ERROR(queue->Signal(*end));
  HAL_RETURN_IF_ERROR(queue->Synchronize());
  HAL_ASSIGN_OR_RETURN(uint64_t elapsed, Event::ElapsedNs(*start, *end));
  return static_cast<double>(elapsed) / kBatch;
}

// The gemm size whose kernel lasts about `target_ns` on `device`: cube-root
// steps from a small size, each at most 4x, until the size settles. Small
// kernels are dominated by fixed costs, hence several rounds.
absl::StatusOr<uint32_t> CalibrateGemmSize(Device& device, const KernelBundle& bundle,
                                           double target_ns) {
  uint32_t n = kTile;
  for (int round = 0; round < 8; ++round) {
    HAL_ASSIGN_OR_RETURN(double ns, MeasureGemmNs(device, bundle, n));
    const double scaled =
        std::clamp(n * std::cbrt(target_ns / std::max(ns, 1.0)), n / 2.0, n * 4.0);
    const uint32_t next = std::clamp<uint32_t>(
        static_cast<uint32_t>(std::lround(scaled / kTile)) * kTile, kTile, 4096);
    if (next == n) break;
    n = next;
  }
  return n;
}

struct Tenant {
  std::shared_ptr<VirtualDevice> vd;
  Gemm gemm;
  uint64_t dispatches = 0;
  absl::Status result;
};

// Dispatches without waiting until `stop`: the queue stays full, so the
// scheduler, not the submitting thread, decides the share.
void Saturate(Tenant& tenant, const std::atomic<bool>& stop) {
  auto queue = tenant.vd->device()->CreateQueue();
  if (!queue.ok()) {
    tenant.result = queue.status();
    return;
  }
  while (!stop.load(std::memory_order_relaxed)) {
    if (absl::Status status = tenant.gemm.Dispatch(**queue); !status.ok()) {
      tenant.result = status;
      return;
    }
    ++tenant.dispatches;
  }
  tenant.result = (*queue)->Synchronize();
}

// Arguments: quota of tenant a and b in percent, and whether each one's
// kernels are long (1) or short (0).
void BM_TimeSliceShares(benchmark::State& state) {
  const double quota[2] = {state.range(0) / 100.0, state.range(1) / 100.0};
  const bool long_kernel[2] = {state.range(2) != 0, state.range(3) != 0};
  auto fail = [&state](const absl::Status& status) {
    state.SkipWithError(std::string(status.message()).c_str());
  };
  auto selected = SelectDevice(absl::GetFlag(FLAGS_device));
  if (!selected.ok()) return fail(selected.status());
  const PhysicalDevice& physical = *selected->device;
  auto bundle = KernelBundle::ReadFile(StandardBundlePath());
  if (!bundle.ok()) return fail(bundle.status());
  uint32_t sizes[2] = {};
  {
    auto device = physical.Open();
    if (!device.ok()) return fail(device.status());
    for (int i = 0; i < 2; ++i) {
      auto size =
          CalibrateGemmSize(**device, *bundle, long_kernel[i] ? kLongKernelNs : kShortKernelNs);
      if (!size.ok()) return fail(size.status());
      sizes[i] = *size;
    }
  }

  PoolOptions pool_options;
  pool_options.time_slice = TimeSliceMode::kStrict;
  auto pool = Pool::Create({&physical}, pool_options);
  if (!pool.ok()) return fail(pool.status());
  Tenant tenants[2];
  for (int i = 0; i < 2; ++i) {
    VirtualDeviceSpec spec;
    spec.name = absl::StrCat("tenant-", i);
    spec.memory_quota = 3 * uint64_t{sizes[i]} * sizes[i] * sizeof(float) + (1 << 20);
    spec.compute_share = quota[i];
    auto vd = (*pool)->CreateVirtualDevice(spec);
    if (!vd.ok()) return fail(vd.status());
    tenants[i].vd = *vd;
    auto gemm = Gemm::Create(*tenants[i].vd->device(), *bundle, sizes[i]);
    if (!gemm.ok()) return fail(gemm.status());
    tenants[i].gemm = *std::move(gemm);
  }

  for (auto _ : state) {
    std::atomic<bool> stop{false};
    uint64_t busy_before[2], held_before[2];
    for (int i = 0; i < 2; ++i) {
      busy_before[i] = tenants[i].vd->compute_busy_ns();
      held_before[i] = tenants[i].vd->compute_held_back_ns();
    }
    const auto start = std::chrono::steady_clock::now();
    std::thread threads[2] = {std::thread(Saturate, std::ref(tenants[0]), std::cref(stop)),
                              std::thread(Saturate, std::ref(tenants[1]), std::cref(stop))};
    std::this_thread::sleep_for(std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds)));
    stop = true;
    for (std::thread& thread : threads) thread.join();
    const double wall_ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    double worst_miss = 0;
    for (int i = 0; i < 2; ++i) {
      if (!tenants[i].result.ok()) return fail(tenants[i].result);
      const uint64_t busy = tenants[i].vd->compute_busy_ns() - busy_before[i];
      const double share = busy / wall_ns;
      worst_miss = std::max(worst_miss, std::abs(share - quota[i]) * 100);
      const std::string name = i == 0 ? "a" : "b";
      state.counters["share_" + name] = share;
      state.counters["kernel_us_" + name] =
          tenants[i].dispatches == 0 ? 0 : busy / 1e3 / tenants[i].dispatches;
      state.counters["gemm_n_" + name] = sizes[i];
      // A tenant below its quota that was never held back was limited by its
      // own submission rate, not by the scheduler.
      state.counters["held_back_ms_" + name] =
          (tenants[i].vd->compute_held_back_ns() - held_before[i]) / 1e6;
    }
    state.counters["worst_miss_points"] = worst_miss;
    state.SetIterationTime(wall_ns / 1e9);
  }
}

// One iteration each: a scenario is a two-second run, not a loop to average.
BENCHMARK(BM_TimeSliceShares)
    ->ArgNames({"quota_a", "quota_b", "long_a", "long_b"})
    ->Args({30, 70, 0, 0})
    ->Args({10, 90, 0, 0})
    ->Args({30, 70, 0, 1})
    ->Args({70, 30, 0, 1})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
