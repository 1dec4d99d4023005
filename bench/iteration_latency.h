// Per-iteration wall times of a dispatch benchmark, so that its median and
// 99th percentile are reported besides Google Benchmark's mean: on a shared
// machine the median is the steadier figure.
#ifndef HAL_BENCH_ITERATION_LATENCY_H_
#define HAL_BENCH_ITERATION_LATENCY_H_

#include <chrono>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"

namespace hal::bench {

class IterationLatency {
 public:
  explicit IterationLatency(const benchmark::State& state);

  // Runs `work` (one iteration's work), records how long it took, and
  // returns what it returned.
  template <typename Work>
  auto Time(Work&& work) {
    const auto start = std::chrono::steady_clock::now();
    auto result = work();
    const auto end = std::chrono::steady_clock::now();
    iteration_us_.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    return result;
  }

  // Sets the counters median_us_per_dispatch and p99_us_per_dispatch (the
  // iterations' median and 99th percentile over `dispatches_per_iteration`)
  // and items_per_second (dispatches per second).
  void SetDispatchCounters(benchmark::State& state, int64_t dispatches_per_iteration);

 private:
  std::vector<double> iteration_us_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_ITERATION_LATENCY_H_
