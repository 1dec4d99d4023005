#include "conformance/report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "conformance/reporting/report_json.h"
#include "conformance/reporting/sha256.h"
#include "runtime/file_reading.h"

namespace hal::cts {
namespace {

constexpr std::pair<TestOutcome, const char*> kTestOutcomeNames[] = {
    {TestOutcome::kPassed, "passed"},
    {TestOutcome::kFailed, "failed"},
    {TestOutcome::kSkipped, "skipped"},
    {TestOutcome::kCrashed, "crashed"},
    {TestOutcome::kTimedOut, "timed_out"}};
constexpr std::pair<SkipKind, const char*> kSkipKindNames[] = {
    {SkipKind::kNone, "none"},
    {SkipKind::kUnsupported, "unsupported"},
    {SkipKind::kKnownFailure, "known_failure"}};

template <typename Enum, size_t kCount>
const char* NameOf(const std::pair<Enum, const char*> (&names)[kCount], Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "invalid";
}

template <typename Enum, size_t kCount>
std::optional<Enum> ValueOf(const std::pair<Enum, const char*> (&names)[kCount],
                            absl::string_view name) {
  for (const auto& [value, candidate] : names) {
    if (candidate == name) return value;
  }
  return std::nullopt;
}

// The counts of the tests `wanted` picks.
template <typename Predicate>
Summary Count(const std::vector<TestRecord>& tests, Predicate wanted) {
  Summary summary;
  for (const TestRecord& test : tests) {
    if (!wanted(test)) continue;
    switch (test.outcome) {
      case TestOutcome::kPassed:
        ++summary.passed;
        break;
      case TestOutcome::kFailed:
        ++summary.failed;
        break;
      case TestOutcome::kSkipped:
        ++summary.skipped;
        ++(test.skip_kind == SkipKind::kKnownFailure ? summary.skipped_known_failure
                                                     : summary.skipped_unsupported);
        break;
      case TestOutcome::kCrashed:
        ++summary.crashed;
        break;
      case TestOutcome::kTimedOut:
        ++summary.timed_out;
        break;
    }
  }
  return summary;
}

}  // namespace

const char* OutcomeName(TestOutcome outcome) { return NameOf(kTestOutcomeNames, outcome); }
std::optional<TestOutcome> OutcomeFromName(absl::string_view name) {
  return ValueOf(kTestOutcomeNames, name);
}
const char* SkipKindName(SkipKind kind) { return NameOf(kSkipKindNames, kind); }
std::optional<SkipKind> SkipKindFromName(absl::string_view name) {
  return ValueOf(kSkipKindNames, name);
}

Summary Report::summary() const {
  return Count(tests, [](const TestRecord&) { return true; });
}

Summary Report::summary_of(absl::string_view device_id) const {
  return Count(tests, [device_id](const TestRecord& test) { return test.device == device_id; });
}

std::optional<double> PassRate(const Summary& summary) {
  const uint64_t ran = summary.passed + summary.failed + summary.crashed + summary.timed_out;
  if (ran == 0) return std::nullopt;
  return static_cast<double>(summary.passed) / static_cast<double>(ran);
}

absl::StatusOr<ExpectedFailuresFile> DescribeExpectedFailuresFile(const std::string& path) {
  absl::StatusOr<std::string> contents =
      internal::ReadRegularFile(path, internal::kMaxJsonFileBytes, "expected-failures file");
  if (!contents.ok()) return contents.status();
  return ExpectedFailuresFile{path, Sha256Hex(*contents), contents->size()};
}

bool Report::conformant() const {
  const Summary counts = summary();
  return !error && !devices.empty() && counts.failed == 0 && counts.crashed == 0 &&
         counts.timed_out == 0;
}

DeviceRecord DescribeDevice(const CtsDevice& device) {
  const DeviceProperties& properties = device.physical->properties();
  DeviceRecord record;
  record.id = device.physical->id();
  record.driver = device.physical->driver_name();
  if (device.driver != nullptr) {
    record.driver_version = device.driver->version();
    record.abi_version = device.driver->abi_version();
  }
  record.name = properties.name;
  record.vendor = properties.vendor;
  record.uuid = device.physical->uuid_string();
  return record;
}

absl::Status WriteReport(const std::string& path, const Report& report) {
  return WriteTextFile(path, ReportJson(report), "report");
}

absl::Status WriteTextFile(const std::string& path, absl::string_view text,
                           absl::string_view what) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(text.data(), static_cast<std::streamsize>(text.size()));
  file.close();
  if (!file) return absl::UnavailableError(absl::StrCat("cannot write the ", what, " to ", path));
  return absl::OkStatus();
}

absl::Status CheckWritable(const std::string& path, absl::string_view what) {
  // No truncation: the file is written for real after the tests. O_NONBLOCK:
  // a FIFO without a reader is refused (ENXIO) rather than waited on.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the ", what, " to ", path, ": ", std::strerror(errno)));
  }
  close(fd);
  return absl::OkStatus();
}

std::string SummaryLine(const Report& report) {
  const Summary summary = report.summary();
  std::string crashes;
  if (summary.crashed + summary.timed_out > 0) {
    crashes = absl::StrCat(summary.crashed, " crashed, ", summary.timed_out, " timed out, ");
  }
  return absl::StrCat("hal-cts: ", summary.passed, " passed, ", summary.failed, " failed, ",
                      crashes, summary.skipped, " skipped (", summary.skipped_unsupported,
                      " unsupported, ", summary.skipped_known_failure, " known failure) on ",
                      report.devices.size(), report.devices.size() == 1 ? " device" : " devices",
                      ": ", report.conformant() ? "conformant" : "not conformant");
}

}  // namespace hal::cts
