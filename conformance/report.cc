#include "conformance/report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace hal::cts {
namespace {

constexpr int kReportSchemaVersion = 1;

nlohmann::ordered_json DeviceJson(const DeviceRecord& device) {
  return {{"id", device.id},
          {"driver", device.driver},
          {"driver_version", device.driver_version},
          {"abi_version", device.abi_version},
          {"name", device.name},
          {"vendor", device.vendor},
          {"uuid", device.uuid}};
}

nlohmann::ordered_json TestJson(const TestRecord& test) {
  nlohmann::ordered_json json = {
      {"name", test.name}, {"device", test.device}, {"result", OutcomeName(test.outcome)}};
  if (test.outcome == TestOutcome::kSkipped) json["skip_kind"] = SkipKindName(test.skip_kind);
  if (!test.message.empty()) json["message"] = test.message;
  return json;
}

constexpr std::pair<TestOutcome, const char*> kOutcomeNames[] = {
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

}  // namespace

const char* OutcomeName(TestOutcome outcome) { return NameOf(kOutcomeNames, outcome); }
std::optional<TestOutcome> OutcomeFromName(absl::string_view name) {
  return ValueOf(kOutcomeNames, name);
}
const char* SkipKindName(SkipKind kind) { return NameOf(kSkipKindNames, kind); }
std::optional<SkipKind> SkipKindFromName(absl::string_view name) {
  return ValueOf(kSkipKindNames, name);
}

Summary Report::summary() const {
  Summary summary;
  for (const TestRecord& test : tests) {
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

std::string ReportJson(const Report& report) {
  const Summary summary = report.summary();
  nlohmann::ordered_json json = {
      {"hal_cts_report", kReportSchemaVersion},
      {"devices", nlohmann::ordered_json::array()},
      {"tests", nlohmann::ordered_json::array()},
      {"summary",
       {{"passed", summary.passed},
        {"failed", summary.failed},
        {"skipped", summary.skipped},
        {"skipped_unsupported", summary.skipped_unsupported},
        {"skipped_known_failure", summary.skipped_known_failure}}},
      {"verdict", report.conformant() ? "conformant" : "not conformant"}};
  for (const DeviceRecord& device : report.devices) json["devices"].push_back(DeviceJson(device));
  for (const TestRecord& test : report.tests) json["tests"].push_back(TestJson(test));
  if (report.error) json["error"] = *report.error;
  // Failure messages may quote raw bytes: replace invalid UTF-8 rather than throw.
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

absl::Status WriteReport(const std::string& path, const Report& report) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << ReportJson(report);
  file.close();
  if (!file) {
    return absl::UnavailableError(absl::StrCat("cannot write the report to ", path));
  }
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
  return absl::StrCat("hal-cts: ", summary.passed, " passed, ", summary.failed, " failed, ",
                      summary.skipped, " skipped (", summary.skipped_unsupported, " unsupported, ",
                      summary.skipped_known_failure, " known failure) on ", report.devices.size(),
                      report.devices.size() == 1 ? " device" : " devices", ": ",
                      report.conformant() ? "conformant" : "not conformant");
}

}  // namespace hal::cts
