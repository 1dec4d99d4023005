#include "bench/ratio_reporter.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace hal::bench {
namespace {

// Tabular counters, in colour only on a terminal (as the default reporter's
// --benchmark_color=auto does).
benchmark::ConsoleReporter::OutputOptions ConsoleOptions() {
  return isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                               : benchmark::ConsoleReporter::OO_Tabular;
}

}  // namespace

std::optional<double> RepresentativeValue(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs, const std::string& counter) {
  std::vector<double> repetitions;
  for (const benchmark::BenchmarkReporter::Run& run : runs) {
    if (run.error_occurred) continue;
    const auto found = run.counters.find(counter);
    if (found == run.counters.end()) continue;
    if (run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate) {
      if (run.aggregate_name == "median") return found->second.value;
    } else {
      repetitions.push_back(found->second.value);
    }
  }
  if (repetitions.empty()) return std::nullopt;
  const auto middle = repetitions.begin() + static_cast<std::ptrdiff_t>(repetitions.size() / 2);
  std::nth_element(repetitions.begin(), middle, repetitions.end());
  return *middle;
}

RatioReporter::RatioReporter(Comparison comparison)
    : RatioReporter(std::vector<Comparison>{std::move(comparison)}) {}

RatioReporter::RatioReporter(std::vector<Comparison> comparisons)
    : ConsoleReporter(ConsoleOptions()) {
  for (Comparison& comparison : comparisons) figures_.push_back({std::move(comparison), {}, {}});
}

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  if (runs.empty()) return;
  const std::string& function = runs.front().run_name.function_name;
  for (Figures& figures : figures_) {
    const Comparison& comparison = figures.comparison;
    if (function == comparison.measured_function) {
      figures.measured = RepresentativeValue(runs, comparison.counter);
    } else if (function == comparison.baseline_function) {
      figures.baseline = RepresentativeValue(runs, comparison.counter);
    }
  }
}

void RatioReporter::Finalize() {
  ConsoleReporter::Finalize();
  std::ostream& out = GetOutputStream();
  for (const Figures& figures : figures_) {
    const Comparison& comparison = figures.comparison;
    if (!figures.measured || !figures.baseline || *figures.baseline <= 0) {
      out << absl::StrFormat("%s: not computed (%s and %s must both run and succeed)\n",
                             comparison.description, comparison.measured_function,
                             comparison.baseline_function);
      continue;
    }
    const double ratio = *figures.measured / *figures.baseline;
    const std::string& unit = comparison.display_unit;
    if (comparison.informational) {
      out << absl::StrFormat("%s: %.3f (%.2f %s / %.2f %s; no target)\n", comparison.description,
                             ratio, *figures.measured * comparison.display_scale, unit,
                             *figures.baseline * comparison.display_scale, unit);
      continue;
    }
    const bool met = comparison.higher_is_better ? ratio >= comparison.target_ratio
                                                 : ratio <= comparison.target_ratio;
    out << absl::StrFormat(
        "%s: %.3f (%.2f %s / %.2f %s; target %s %.2f: %s)\n", comparison.description, ratio,
        *figures.measured * comparison.display_scale, unit,
        *figures.baseline * comparison.display_scale, unit,
        comparison.higher_is_better ? ">=" : "<=", comparison.target_ratio, met ? "met" : "MISSED");
  }
}

}  // namespace hal::bench
