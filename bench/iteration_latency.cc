#include "bench/iteration_latency.h"

#include <algorithm>

namespace hal::bench {
namespace {

// The q-quantile (0 <= q <= 1) of `samples`, which it reorders.
double Quantile(std::vector<double>& samples, double q) {
  const auto rank = static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + rank, samples.end());
  return samples[static_cast<size_t>(rank)];
}

}  // namespace

IterationLatency::IterationLatency(const benchmark::State& state) {
  iteration_us_.reserve(static_cast<size_t>(state.max_iterations));
}

void IterationLatency::SetDispatchCounters(benchmark::State& state,
                                           int64_t dispatches_per_iteration) {
  state.SetItemsProcessed(state.iterations() * dispatches_per_iteration);
  if (iteration_us_.empty()) return;
  const auto per_dispatch = static_cast<double>(dispatches_per_iteration);
  state.counters["median_us_per_dispatch"] = Quantile(iteration_us_, 0.5) / per_dispatch;
  state.counters["p99_us_per_dispatch"] = Quantile(iteration_us_, 0.99) / per_dispatch;
}

}  // namespace hal::bench
