// The hal-cts report (docs/cts.md, "Report"): which devices were tested, every
// test's result, the counts and the verdict, as JSON a vendor can archive.
#ifndef HAL_CONFORMANCE_REPORT_H_
#define HAL_CONFORMANCE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "conformance/cts_environment.h"

namespace hal::cts {

struct DeviceRecord {
  std::string id, driver, driver_version, abi_version, name, vendor, uuid;
};

// kCrashed and kTimedOut are recorded by the runner (conformance/runner/) for a
// test whose child process died, or did not end within the deadline.
enum class TestOutcome { kPassed, kFailed, kSkipped, kCrashed, kTimedOut };
enum class SkipKind { kNone, kUnsupported, kKnownFailure };

struct TestRecord {
  std::string name;    // "Copy.HostToDeviceToHost/cpu_0"
  std::string device;  // "cpu:0"; empty for tests of the suite itself
  TestOutcome outcome = TestOutcome::kPassed;
  SkipKind skip_kind = SkipKind::kNone;  // set when skipped
  std::string message;                   // why it failed, crashed, timed out or was skipped
  double seconds = 0;                    // wall time the test took (up to the deadline)
  std::string group;  // the runner's group: "Suite/<device>", one child process per group
};

// "passed", "failed", "skipped", "crashed", "timed_out": the names the report,
// the runner's record lines and --compare use.
const char* OutcomeName(TestOutcome outcome);
std::optional<TestOutcome> OutcomeFromName(absl::string_view name);
// "none", "unsupported", "known_failure".
const char* SkipKindName(SkipKind kind);
std::optional<SkipKind> SkipKindFromName(absl::string_view name);

struct Summary {
  uint64_t passed = 0, failed = 0, skipped = 0, crashed = 0, timed_out = 0;
  uint64_t skipped_unsupported = 0, skipped_known_failure = 0;
};

struct Report {
  std::vector<DeviceRecord> devices;
  std::vector<TestRecord> tests;
  // Set when the suite could not run (no device, unreadable bundle, ...).
  std::optional<std::string> error;

  Summary summary() const;
  // Conformant: at least one device tested, no failure, crash or timeout, and no error.
  bool conformant() const;
};

DeviceRecord DescribeDevice(const CtsDevice& device);

// The report as JSON text (schema version 1).
std::string ReportJson(const Report& report);
// Writes ReportJson to `path`; Unavailable (naming the path) if it cannot.
absl::Status WriteReport(const std::string& path, const Report& report);
// Unavailable naming `what` and the reason when `path` cannot be opened for
// writing; checked before any test runs, so that an unwritable --report or
// --junit fails at once instead of after the whole suite (or, for GoogleTest's
// XML output, with an abort).
absl::Status CheckWritable(const std::string& path, absl::string_view what);
// "hal-cts: 140 passed, 0 failed, 3 skipped (2 unsupported, 1 known failure) on 1 device:
// conformant".
std::string SummaryLine(const Report& report);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORT_H_
