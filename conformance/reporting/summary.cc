#include "conformance/reporting/summary.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "conformance/reporting/build_info.h"

namespace hal::cts {
namespace {

// Long enough for a file:line and the start of the reason; the report and
// the JUnit XML hold the whole message.
constexpr size_t kMaxSummaryMessageBytes = 200;

std::string Counts(const Summary& summary) {
  const std::optional<double> pass_rate = PassRate(summary);
  return absl::StrFormat(
      "%d passed, %d failed, %d crashed, %d timed out, %d skipped (%d unsupported, %d known "
      "failure); pass rate %s",
      summary.passed, summary.failed, summary.crashed, summary.timed_out, summary.skipped,
      summary.skipped_unsupported, summary.skipped_known_failure,
      pass_rate ? absl::StrFormat("%.1f%%", *pass_rate * 100) : std::string("n/a (none ran)"));
}

void PrintTestsWith(const Report& report, TestOutcome outcome, std::ostream& out) {
  for (const TestRecord& test : report.tests) {
    if (test.outcome != outcome) continue;
    out << absl::StrFormat("  %-10s %s: %s\n", OutcomeName(outcome), test.name,
                           OneLineExcerpt(test.message, kMaxSummaryMessageBytes));
  }
}

}  // namespace

std::string OneLineExcerpt(absl::string_view text, size_t max_bytes) {
  std::string line;
  bool in_space = false;
  for (char c : text) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c));
    if (space) {
      in_space = !line.empty();
      continue;
    }
    if (in_space) line += ' ';
    in_space = false;
    line += c;
  }
  if (line.size() <= max_bytes) return line;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

void PrintSummary(const Report& report, std::ostream& out) {
  out << "hal-cts " << SuiteVersion() << " (build " << SuiteBuildHash() << ")\n";
  for (const DeviceRecord& device : report.devices) {
    out << absl::StrFormat("  %s (%s, %s): %s\n", device.id, device.driver, device.name,
                           Counts(report.summary_of(device.id)));
  }
  // The worst first: a crash or a hang hides whatever the test would have found.
  for (TestOutcome outcome :
       {TestOutcome::kCrashed, TestOutcome::kTimedOut, TestOutcome::kFailed}) {
    PrintTestsWith(report, outcome, out);
  }
  if (report.error) out << "hal-cts could not run: " << *report.error << "\n";
  const Summary summary = report.summary();
  out << SummaryLine(report) << "\n";
  out << "Skips count as conformant: " << summary.skipped_unsupported
      << " unsupported (the device lacks the feature), " << summary.skipped_known_failure
      << " known failures (marked in the source or the expected-failures file).\n";
}

}  // namespace hal::cts
