// Compute shares measured from outside the scheduler, for the time-slice test
// and benchmark: a tenant's share is the work it completed, each kernel at its
// cost measured alone on a plain device context (host clocks), over the wall
// time of the contended run. The scheduler's own busy time counts time a
// kernel spent slowed down by another tenant's on the same cores (the CPU
// driver, lavapipe), so it cannot judge itself. Header-only: tests/ and bench/
// share it.
#ifndef HAL_BENCH_COMPUTE_SHARE_H_
#define HAL_BENCH_COMPUTE_SHARE_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

namespace hal::share {

// A square gemm of size n on one device: its kernel and buffers.
struct Gemm {
  static constexpr uint32_t kTile = 16;  // gemm_f32's workgroup is 16x16

  // With `zero_on`, the operands are zeroed on that queue: a plain context's
  // memory is not, and garbage operands (denormals) made the same kernel
  // about twice as slow there as on a virtual device's zeroed memory.
  static absl::StatusOr<Gemm> Create(Device& device, const KernelBundle& bundle, uint32_t n,
                                     Queue* zero_on = nullptr) {
    Gemm gemm;
    gemm.n = n;
    HAL_ASSIGN_OR_RETURN(gemm.kernel, device.LoadKernel(bundle, "gemm_f32"));
    const uint64_t bytes = uint64_t{n} * n * sizeof(float);
    for (auto& buffer : gemm.buffers) {
      HAL_ASSIGN_OR_RETURN(buffer, device.Allocate(bytes));
      if (zero_on != nullptr) HAL_RETURN_IF_ERROR(zero_on->Fill(*buffer, 0, bytes, 0));
    }
    return gemm;
  }
  static uint64_t BytesFor(uint32_t n) { return 3 * uint64_t{n} * n * sizeof(float); }

  absl::Status Dispatch(Queue& queue) const {
    struct {
      uint32_t m, n, k;
      float alpha, beta;
    } constants{n, n, n, 1.0f, 0.0f};
    const BufferBinding bindings[] = {{buffers[0].get()}, {buffers[1].get()}, {buffers[2].get()}};
    const uint32_t tiles = (n + kTile - 1) / kTile;
    return queue.Dispatch(*kernel, {tiles, tiles, 1}, bindings, constants);
  }

  uint32_t n = 0;
  std::shared_ptr<Kernel> kernel;
  std::shared_ptr<Buffer> buffers[3];
};

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Host wall time per gemm of size n run alone on `device` (a plain context,
// which no scheduler holds back): the fastest of `rounds` batches of `count`
// back to back after one warm-up, as a saturating tenant runs them. Load from
// other processes only ever adds time, so the fastest batch is the cost.
inline absl::StatusOr<double> CostAloneSeconds(Device& device, const KernelBundle& bundle,
                                               uint32_t n, int count, int rounds) {
  HAL_ASSIGN_OR_RETURN(auto queue, device.CreateQueue());
  HAL_ASSIGN_OR_RETURN(Gemm gemm, Gemm::Create(device, bundle, n, queue.get()));
  HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
  HAL_RETURN_IF_ERROR(queue->Synchronize());
  double fastest = std::numeric_limits<double>::infinity();
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) HAL_RETURN_IF_ERROR(gemm.Dispatch(*queue));
    HAL_RETURN_IF_ERROR(queue->Synchronize());
    fastest = std::min(fastest, SecondsSince(start) / count);
  }
  return fastest;
}

// One tenant of a contended run: its virtual device, gemm size and cost
// alone; the run fills in the rest.
struct Tenant {
  std::shared_ptr<VirtualDevice> vd;
  uint32_t n = 0;
  double cost_alone_s = 0;
  uint64_t completed = 0;  // kernels, all synchronized by the end of the run
  double share = 0;        // completed x cost_alone_s / wall time
  uint64_t busy_ns = 0;    // the scheduler's own figure, for comparison only
  uint64_t held_back_ns = 0;
  absl::Status result;
};

// Starts and stops the tenants of a run together.
struct RunSignals {
  std::atomic<size_t> setting_up;
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
};

// Once every tenant is set up, dispatches without waiting until `stop`, then
// synchronizes: the queue stays full, so the scheduler, not the submitting
// thread, decides the share.
inline void Saturate(Tenant& tenant, const KernelBundle& bundle, RunSignals& signals) {
  auto run = [&]() -> absl::Status {
    Device& device = *tenant.vd->device();
    // A virtual device's memory is zeroed already; a fill would be the
    // tenant's first submissions, and the scheduler's estimate of its
    // kernels would start from their cost.
    absl::StatusOr<Gemm> gemm = Gemm::Create(device, bundle, tenant.n);
    absl::StatusOr<std::unique_ptr<Queue>> queue = gemm.ok() ? device.CreateQueue() : gemm.status();
    --signals.setting_up;
    HAL_RETURN_IF_ERROR(queue.status());
    while (!signals.go.load()) std::this_thread::yield();
    while (!signals.stop.load(std::memory_order_relaxed)) {
      HAL_RETURN_IF_ERROR(gemm->Dispatch(**queue));
      ++tenant.completed;
    }
    return (*queue)->Synchronize();
  };
  tenant.result = run();
}

// Runs every tenant saturating its virtual device for `seconds`, from the
// moment all are set up until all synchronized, and fills in their shares;
// returns that wall time.
inline absl::StatusOr<double> RunContended(std::vector<Tenant>& tenants, const KernelBundle& bundle,
                                           double seconds) {
  RunSignals signals;
  signals.setting_up = tenants.size();
  std::vector<uint64_t> busy_before, held_before;
  for (Tenant& tenant : tenants) {
    tenant.completed = 0;
    busy_before.push_back(tenant.vd->compute_busy_ns());
    held_before.push_back(tenant.vd->compute_held_back_ns());
  }
  std::vector<std::thread> threads;
  for (Tenant& tenant : tenants) {
    threads.emplace_back(Saturate, std::ref(tenant), std::cref(bundle), std::ref(signals));
  }
  while (signals.setting_up.load() > 0) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  signals.go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  signals.stop = true;
  for (std::thread& thread : threads) thread.join();
  const double wall_s = SecondsSince(start);
  for (size_t i = 0; i < tenants.size(); ++i) {
    Tenant& tenant = tenants[i];
    HAL_RETURN_IF_ERROR(tenant.result);
    tenant.share = static_cast<double>(tenant.completed) * tenant.cost_alone_s / wall_s;
    tenant.busy_ns = tenant.vd->compute_busy_ns() - busy_before[i];
    tenant.held_back_ns = tenant.vd->compute_held_back_ns() - held_before[i];
  }
  return wall_s;
}

}  // namespace hal::share

#endif  // HAL_BENCH_COMPUTE_SHARE_H_
