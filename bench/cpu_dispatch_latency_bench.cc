// What one dispatch costs through hal on the CPU driver: the standard bundle's
// "noop" kernel (no bindings, no push constants, one workgroup of one
// invocation) dispatched and waited for. With one dispatch per Synchronize the
// figure is the round trip a synchronous caller sees (target: median under
// 5 us); with 64 it is the per-dispatch cost when submissions are batched.
#include <cstdint>

#include "absl/status/status.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/iteration_latency.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

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
  absl::StatusOr<BenchContext> context = OpenBenchContext("cpu", "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  Queue& queue = *context->queue;
  const Kernel& noop = *context->kernel;
  const int64_t dispatches_per_sync = state.range(0);
  IterationLatency latency(state);
  for (auto _ : state) {
    const absl::Status status =
        latency.Time([&] { return DispatchAndWait(queue, noop, dispatches_per_sync); });
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  latency.SetDispatchCounters(state, dispatches_per_sync);
}
BENCHMARK(BM_CpuNoopDispatch)->ArgName("dispatches_per_sync")->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
