// The console report, followed by one summary line comparing the bandwidth of
// a measured benchmark with a baseline measured in the same run: their
// bytes_per_second ratio against a target. With --benchmark_repetitions the
// median of the repetitions is compared. Machine-readable output remains
// available through --benchmark_out.
#ifndef HAL_BENCH_BANDWIDTH_RATIO_REPORTER_H_
#define HAL_BENCH_BANDWIDTH_RATIO_REPORTER_H_

#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace hal::bench {

class BandwidthRatioReporter : public benchmark::ConsoleReporter {
 public:
  struct Comparison {
    std::string measured_function;  // the benchmark's function name, e.g. "BM_SaxpyHal"
    std::string baseline_function;
    std::string description;  // what the ratio is, for the summary line
    double target_ratio = 0;  // measured / baseline at or above this meets the target
  };

  explicit BandwidthRatioReporter(Comparison comparison);

  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  Comparison comparison_;
  std::optional<double> measured_bytes_per_second_;
  std::optional<double> baseline_bytes_per_second_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_BANDWIDTH_RATIO_REPORTER_H_
