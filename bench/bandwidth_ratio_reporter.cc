#include "bench/bandwidth_ratio_reporter.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace hal::bench {
namespace {

constexpr char kBytesPerSecond[] = "bytes_per_second";

// Tabular counters, in colour only on a terminal (as the default reporter's
// --benchmark_color=auto does).
benchmark::ConsoleReporter::OutputOptions ConsoleOptions() {
  return isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                               : benchmark::ConsoleReporter::OO_Tabular;
}

// The bandwidth that represents `runs` (one benchmark instance's report): the
// "median" aggregate when repetitions produced one, else the median of the
// plain runs; nullopt when no run succeeded.
std::optional<double> RepresentativeBandwidth(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs) {
  std::vector<double> repetitions;
  for (const benchmark::BenchmarkReporter::Run& run : runs) {
    if (run.error_occurred) continue;
    const auto counter = run.counters.find(kBytesPerSecond);
    if (counter == run.counters.end()) continue;
    if (run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate) {
      if (run.aggregate_name == "median") return counter->second.value;
    } else {
      repetitions.push_back(counter->second.value);
    }
  }
  if (repetitions.empty()) return std::nullopt;
  const auto middle = repetitions.begin() + static_cast<std::ptrdiff_t>(repetitions.size() / 2);
  std::nth_element(repetitions.begin(), middle, repetitions.end());
  return *middle;
}

}  // namespace

BandwidthRatioReporter::BandwidthRatioReporter(Comparison comparison)
    : ConsoleReporter(ConsoleOptions()), comparison_(std::move(comparison)) {}

void BandwidthRatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  if (runs.empty()) return;
  const std::string& function = runs.front().run_name.function_name;
  if (function == comparison_.measured_function) {
    measured_bytes_per_second_ = RepresentativeBandwidth(runs);
  } else if (function == comparison_.baseline_function) {
    baseline_bytes_per_second_ = RepresentativeBandwidth(runs);
  }
}

void BandwidthRatioReporter::Finalize() {
  ConsoleReporter::Finalize();
  std::ostream& out = GetOutputStream();
  if (!measured_bytes_per_second_ || !baseline_bytes_per_second_ ||
      *baseline_bytes_per_second_ <= 0) {
    out << absl::StrFormat("%s: not computed (%s and %s must both run and succeed)\n",
                           comparison_.description, comparison_.measured_function,
                           comparison_.baseline_function);
    return;
  }
  const double ratio = *measured_bytes_per_second_ / *baseline_bytes_per_second_;
  out << absl::StrFormat("%s: %.3f (%.2f GiB/s / %.2f GiB/s; target >= %.2f: %s)\n",
                         comparison_.description, ratio, *measured_bytes_per_second_ / (1 << 30),
                         *baseline_bytes_per_second_ / (1 << 30), comparison_.target_ratio,
                         ratio >= comparison_.target_ratio ? "met" : "MISSED");
}

}  // namespace hal::bench
