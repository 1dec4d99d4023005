// hal's side of the dispatch benchmarks (vulkan_dispatch_bench,
// opencl_dispatch_bench): the standard bundle's "noop" kernel dispatched on
// one workgroup and waited for, one dispatch per wait, on the first device
// `selector` keeps, timed per iteration.
#ifndef HAL_BENCH_NOOP_DISPATCH_H_
#define HAL_BENCH_NOOP_DISPATCH_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/bench_context.h"
#include "bench/iteration_latency.h"
#include "benchmark/benchmark.h"
#include "hal/status_macros.h"

namespace hal::bench {

inline void BenchmarkHalNoopDispatch(benchmark::State& state, absl::string_view selector) {
  absl::StatusOr<BenchContext> context = OpenBenchContext(selector, "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  Queue& queue = *context->queue;
  const Kernel& noop = *context->kernel;
  const auto dispatch_and_wait = [&]() -> absl::Status {
    HAL_RETURN_IF_ERROR(queue.Dispatch(noop, GridSize{1, 1, 1}, {}));
    return queue.Synchronize();
  };
  // The first dispatch pays for one-time work (command buffers, compilation).
  if (absl::Status status = dispatch_and_wait(); !status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  IterationLatency latency(state);
  for (auto _ : state) {
    if (absl::Status status = latency.Time(dispatch_and_wait); !status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  latency.SetDispatchCounters(state, 1);
}

}  // namespace hal::bench

#endif  // HAL_BENCH_NOOP_DISPATCH_H_
