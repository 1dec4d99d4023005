// The console report, followed by a summary line for each comparison of a
// figure (a counter) of a measured benchmark with the same figure of a
// baseline measured in the same run: their ratio against a target. With --benchmark_repetitions
// the median of the repetitions is compared. Machine-readable output remains
// available through --benchmark_out.
#ifndef HAL_BENCH_RATIO_REPORTER_H_
#define HAL_BENCH_RATIO_REPORTER_H_

#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace hal::bench {

// The value of `counter` that represents `runs` (one benchmark instance's
// report): the "median" aggregate when repetitions produced one, else the
// median of the plain runs; nullopt when no run succeeded.
std::optional<double> RepresentativeValue(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs, const std::string& counter);

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  struct Comparison {
    std::string measured_function;  // the benchmark's function name, e.g. "BM_SaxpyHal"
    std::string baseline_function;
    std::string description;  // what the ratio is, for the summary line
    // The counter compared; the summary shows its values times display_scale,
    // in display_unit. The default is bandwidth.
    std::string counter = "bytes_per_second";
    double display_scale = 1.0 / (1 << 30);
    std::string display_unit = "GiB/s";
    // Bandwidth improves upwards (measured / baseline >= target meets the
    // target), a time downwards (measured / baseline <= target does).
    bool higher_is_better = true;
    double target_ratio = 0;
    // A ratio shown for comparison, with no target to meet.
    bool informational = false;
  };

  explicit RatioReporter(Comparison comparison);
  // One summary line per comparison, in this order.
  explicit RatioReporter(std::vector<Comparison> comparisons);

  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct Figures {
    Comparison comparison;
    std::optional<double> measured;
    std::optional<double> baseline;
  };
  std::vector<Figures> figures_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_RATIO_REPORTER_H_
