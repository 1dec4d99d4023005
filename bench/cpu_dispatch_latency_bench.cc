// What one dispatch costs through hal on the CPU driver: the standard bundle's
// "noop" kernel (no bindings, no push constants, one workgroup of one
// invocation) dispatched and waited for. With one dispatch per Synchronize the
// figure is the round trip a synchronous caller sees (target: median under
// 5 us); with 64 it is the per-dispatch cost when submissions are batched.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "bench/bench_main.h"
#include "bench/cpu_bench_context.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

// The q-quantile (0 <= q <= 1) of `samples`, which it reorders.
double Quantile(std::vector<double>& samples, double q) {
  const auto rank = static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + rank, samples.end());
  return samples[static_cast<size_t>(rank)];
}

// Submits `dispatches` noop dispatches, then waits for the queue.
absl::Status DispatchAndWait(Queue& queue, const Kernel& noop, int64_t dispatches) {
  for (int64_t i = 0; i < dispatches; ++i) {
    HAL_RETURN_IF_ERROR(queue.Dispatch(noop, GridSize{1, 1, 1}, {}));
  }
  return queue.Synchronize();
}

// state.range(0): dispatches per Synchronize. Each iteration is timed on its
// own so that the median, not only the mean, is reported.
void BM_CpuNoopDispatch(benchmark::State& state) {
  absl::StatusOr<CpuBenchContext> context = OpenCpuBenchContext("noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  Queue& queue = *context->queue;
  const Kernel& noop = *context->kernel;
  const int64_t dispatches_per_sync = state.range(0);
  std::vector<double> iteration_us;
  iteration_us.reserve(static_cast<size_t>(state.max_iterations));
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const absl::Status status = DispatchAndWait(queue, noop, dispatches_per_sync);
    const auto end = std::chrono::steady_clock::now();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
    iteration_us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  state.SetItemsProcessed(state.iterations() * dispatches_per_sync);
  const auto per_dispatch = static_cast<double>(dispatches_per_sync);
  state.counters["median_us_per_dispatch"] = Quantile(iteration_us, 0.5) / per_dispatch;
  state.counters["p99_us_per_dispatch"] = Quantile(iteration_us, 0.99) / per_dispatch;
}
BENCHMARK(BM_CpuNoopDispatch)->ArgName("dispatches_per_sync")->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
