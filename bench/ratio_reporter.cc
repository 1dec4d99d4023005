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

// The value of `counter` that represents `runs` (one benchmark instance's
// report): the "median" aggregate when repetitions produced one, else the
// median of the plain runs; nullopt when no run succeeded.
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

}  // namespace

RatioReporter::RatioReporter(Comparison comparison)
    : ConsoleReporter(ConsoleOptions()), comparison_(std::move(comparison)) {}

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  if (runs.empty()) return;
  const std::string& function = runs.front().run_name.function_name;
  if (function == comparison_.measured_function) {
    measured_ = RepresentativeValue(runs, comparison_.counter);
  } else if (function == comparison_.baseline_function) {
    baseline_ = RepresentativeValue(runs, comparison_.counter);
  }
}

void RatioReporter::Finalize() {
  ConsoleReporter::Finalize();
  std::ostream& out = GetOutputStream();
  if (!measured_ || !baseline_ || *baseline_ <= 0) {
    out << absl::StrFormat("%s: not computed (%s and %s must both run and succeed)\n",
                           comparison_.description, comparison_.measured_function,
                           comparison_.baseline_function);
    return;
  }
  const double ratio = *measured_ / *baseline_;
  const bool met = comparison_.higher_is_better ? ratio >= comparison_.target_ratio
                                                : ratio <= comparison_.target_ratio;
  const std::string& unit = comparison_.display_unit;
  out << absl::StrFormat(
      "%s: %.3f (%.2f %s / %.2f %s; target %s %.2f: %s)\n", comparison_.description, ratio,
      *measured_ * comparison_.display_scale, unit, *baseline_ * comparison_.display_scale, unit,
      comparison_.higher_is_better ? ">=" : "<=", comparison_.target_ratio, met ? "met" : "MISSED");
}

}  // namespace hal::bench
