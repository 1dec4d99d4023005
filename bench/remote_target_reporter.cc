#include "bench/remote_target_reporter.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace hal::bench {

RemoteTargetReporter::RemoteTargetReporter(std::vector<Comparison> ratios,
                                           std::vector<Difference> differences,
                                           std::vector<Floor> floors)
    : RatioReporter(std::move(ratios)) {
  for (Difference& difference : differences)
    differences_.push_back({std::move(difference), {}, {}});
  for (Floor& floor : floors) floors_.push_back({std::move(floor), {}});
}

void RemoteTargetReporter::ReportRuns(const std::vector<Run>& runs) {
  RatioReporter::ReportRuns(runs);
  if (runs.empty()) return;
  const std::string& function = runs.front().run_name.function_name;
  for (DifferenceFigures& figures : differences_) {
    if (function == figures.target.measured_function) {
      figures.measured = RepresentativeValue(runs, figures.target.counter);
    } else if (function == figures.target.baseline_function) {
      figures.baseline = RepresentativeValue(runs, figures.target.counter);
    }
  }
  for (FloorFigure& figure : floors_) {
    if (function == figure.target.function) {
      figure.value = RepresentativeValue(runs, figure.target.counter);
    }
  }
}

void RemoteTargetReporter::Finalize() {
  RatioReporter::Finalize();
  std::ostream& out = GetOutputStream();
  for (const DifferenceFigures& figures : differences_) {
    const Difference& target = figures.target;
    if (!figures.measured || !figures.baseline) {
      out << absl::StrFormat("%s: not computed (%s and %s must both run and succeed)\n",
                             target.description, target.measured_function,
                             target.baseline_function);
      continue;
    }
    const double measured = *figures.measured * target.display_scale;
    const double baseline = *figures.baseline * target.display_scale;
    const double difference = measured - baseline;
    out << absl::StrFormat("%s: %+.2f %s (%.2f %s - %.2f %s; target <= %.2f %s: %s)\n",
                           target.description, difference, target.display_unit, measured,
                           target.display_unit, baseline, target.display_unit,
                           target.max_difference, target.display_unit,
                           difference <= target.max_difference ? "met" : "MISSED");
  }
  for (const FloorFigure& figure : floors_) {
    const Floor& target = figure.target;
    if (!figure.value) {
      out << absl::StrFormat("%s: not computed (%s must run and succeed)\n", target.description,
                             target.function);
      continue;
    }
    const double value = *figure.value * target.display_scale;
    out << absl::StrFormat("%s: %.2f %s (target >= %.2f %s: %s)\n", target.description, value,
                           target.display_unit, target.min_value, target.display_unit,
                           value >= target.min_value ? "met" : "MISSED");
  }
}

}  // namespace hal::bench
