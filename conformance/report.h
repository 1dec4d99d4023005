// The hal-cts report (docs/cts.md, "Report"): which devices were tested, every
// test's result, the counts and the verdict, as JSON a vendor can archive.
#ifndef HAL_CONFORMANCE_REPORT_H_
#define HAL_CONFORMANCE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "conformance/cts_environment.h"
#include "nlohmann/json.hpp"

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

// The runner's settings, which the report names so that a run can be redone.
struct RunSettings {
  int jobs = 1;
  double test_timeout_seconds = 120;
  bool verify_known_failures = false;
  bool no_fork = false;  // every test ran in hal-cts's own process
};

// The expected-failures file a run used: what a report's known failures rest on.
struct ExpectedFailuresFile {
  std::string path;
  std::string sha256;  // of the contents, lower-case hex
  uint64_t size = 0;
};

// Reads `path` (a regular file of at most 16 MiB, as --expected-failures
// accepts) for its ExpectedFailuresFile; the reading errors of
// hal::internal::ReadRegularFile otherwise.
absl::StatusOr<ExpectedFailuresFile> DescribeExpectedFailuresFile(const std::string& path);

struct Report {
  std::vector<DeviceRecord> devices;
  std::vector<TestRecord> tests;
  RunSettings settings;
  std::optional<ExpectedFailuresFile> expected_failures;
  // The coverage table, CoverageJson(tests) (conformance/coverage/coverage.h),
  // set by hal-cts's main: this library does not depend on the coverage code.
  // Written as null when absent.
  std::optional<nlohmann::ordered_json> coverage;
  // Set when the suite could not run (no device, unreadable bundle, ...).
  std::optional<std::string> error;

  Summary summary() const;
  // The counts of the tests of one device (by id).
  Summary summary_of(absl::string_view device_id) const;
  // Conformant: at least one device tested, no failure, crash or timeout, and no error.
  bool conformant() const;
};

// Tests that ran and passed over those that ran (skips left out); nullopt when
// none ran.
std::optional<double> PassRate(const Summary& summary);

DeviceRecord DescribeDevice(const CtsDevice& device);

// Writes the report as JSON (schema 2, conformance/reporting/report_json.h) to
// `path`; Unavailable (naming the path) if it cannot.
absl::Status WriteReport(const std::string& path, const Report& report);
// Unavailable naming `what` and the reason when `path` cannot be opened for
// writing; checked before any test runs, so that an unwritable --report or
// --junit fails at once instead of after the whole suite (or, for GoogleTest's
// XML output, with an abort).
absl::Status CheckWritable(const std::string& path, absl::string_view what);
// Writes `text` to `path`, replacing it; Unavailable "cannot write the <what>
// to <path>" if it cannot.
absl::Status WriteTextFile(const std::string& path, absl::string_view text, absl::string_view what);
// "hal-cts: 140 passed, 0 failed, 3 skipped (2 unsupported, 1 known failure) on 1 device:
// conformant", with ", 1 crashed, 1 timed out" after the failures when there are any.
std::string SummaryLine(const Report& report);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORT_H_
