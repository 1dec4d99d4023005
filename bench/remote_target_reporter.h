// RatioReporter's summary lines plus the two kinds of target the remote
// driver's figures have besides ratios (issue 12): a figure's difference from
// its baseline ("the remote round trip adds at most 15 us") and a figure
// against a fixed floor ("copies over TCP loopback reach at least 1 GB/s").
#ifndef HAL_BENCH_REMOTE_TARGET_REPORTER_H_
#define HAL_BENCH_REMOTE_TARGET_REPORTER_H_

#include <optional>
#include <string>
#include <vector>

#include "bench/ratio_reporter.h"

namespace hal::bench {

class RemoteTargetReporter : public RatioReporter {
 public:
  // measured - baseline <= max_difference (both in the counter's units).
  struct Difference {
    std::string measured_function;
    std::string baseline_function;
    std::string description;
    std::string counter;
    double display_scale = 1.0;
    std::string display_unit;
    double max_difference = 0;  // in display units
  };
  // The figure >= min_value.
  struct Floor {
    std::string function;
    std::string description;
    std::string counter = "bytes_per_second";
    double display_scale = 1e-9;
    std::string display_unit = "GB/s";
    double min_value = 0;  // in display units
  };

  RemoteTargetReporter(std::vector<Comparison> ratios, std::vector<Difference> differences,
                       std::vector<Floor> floors);

  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct DifferenceFigures {
    Difference target;
    std::optional<double> measured;
    std::optional<double> baseline;
  };
  struct FloorFigure {
    Floor target;
    std::optional<double> value;
  };
  std::vector<DifferenceFigures> differences_;
  std::vector<FloorFigure> floors_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_REMOTE_TARGET_REPORTER_H_
