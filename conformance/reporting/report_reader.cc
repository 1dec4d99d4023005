#include "conformance/reporting/report_reader.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "runtime/file_reading.h"
#include "runtime/strict_json.h"

namespace hal::cts {
namespace {

using nlohmann::json;

absl::Status Malformed(absl::string_view where, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
}

// The array at `key` of the top-level object.
absl::StatusOr<const json*> ArrayAt(const json& report, const char* key, absl::string_view where) {
  const auto it = report.find(key);
  if (it == report.end() || !it->is_array()) {
    return Malformed(where, absl::StrCat("\"", key, "\" is missing or not an array"));
  }
  return &*it;
}

// The string at `key` of `object` (an element of `what`); "" when absent and
// `required` is false.
absl::StatusOr<std::string> StringAt(const json& object, const char* key, bool required,
                                     absl::string_view where) {
  const auto it = object.find(key);
  if (it == object.end() && !required) return std::string();
  if (it == object.end() || !it->is_string()) {
    return Malformed(where, absl::StrCat("\"", key, "\" is missing or not a string"));
  }
  return it->get<std::string>();
}

absl::StatusOr<DeviceRecord> ReadDevice(const json& object, absl::string_view where) {
  if (!object.is_object()) return Malformed(where, "not an object");
  DeviceRecord device;
  for (auto [key, field, required] :
       {std::tuple{"id", &device.id, true}, std::tuple{"driver", &device.driver, true},
        std::tuple{"name", &device.name, true},
        std::tuple{"driver_version", &device.driver_version, false},
        std::tuple{"abi_version", &device.abi_version, false},
        std::tuple{"vendor", &device.vendor, false}, std::tuple{"uuid", &device.uuid, false}}) {
    absl::StatusOr<std::string> value = StringAt(object, key, required, where);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  return device;
}

absl::StatusOr<TestRecord> ReadTest(const json& object, absl::string_view where) {
  if (!object.is_object()) return Malformed(where, "not an object");
  TestRecord test;
  for (auto [key, field, required] :
       {std::tuple{"name", &test.name, true}, std::tuple{"device", &test.device, true},
        std::tuple{"message", &test.message, false}, std::tuple{"group", &test.group, false}}) {
    absl::StatusOr<std::string> value = StringAt(object, key, required, where);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  absl::StatusOr<std::string> result = StringAt(object, "result", true, where);
  if (!result.ok()) return result.status();
  const std::optional<TestOutcome> outcome = OutcomeFromName(*result);
  if (!outcome) return Malformed(where, absl::StrCat("unknown result \"", *result, "\""));
  test.outcome = *outcome;
  if (test.outcome == TestOutcome::kSkipped) {
    absl::StatusOr<std::string> kind = StringAt(object, "skip_kind", true, where);
    if (!kind.ok()) return kind.status();
    const std::optional<SkipKind> skip_kind = SkipKindFromName(*kind);
    if (!skip_kind || *skip_kind == SkipKind::kNone) {
      return Malformed(where, absl::StrCat("unknown skip_kind \"", *kind, "\""));
    }
    test.skip_kind = *skip_kind;
  }
  if (const auto seconds = object.find("seconds"); seconds != object.end()) {
    if (!seconds->is_number()) return Malformed(where, "\"seconds\" is not a number");
    test.seconds = seconds->get<double>();
  }
  return test;
}

}  // namespace

absl::StatusOr<ReadReport> ReadReportFile(const std::string& path) {
  absl::StatusOr<std::string> text =
      internal::ReadRegularFile(path, kMaxReportFileBytes, "hal-cts report");
  if (!text.ok()) return text.status();
  const std::string where = absl::StrCat("hal-cts report ", path);
  absl::StatusOr<json> parsed = internal::ParseStrictJson(*text, where);
  if (!parsed.ok()) return parsed.status();
  const json& report = *parsed;
  if (!report.is_object()) return Malformed(where, "not a JSON object");
  const auto schema = report.find("hal_cts_report");
  if (schema == report.end() || !schema->is_number_integer()) {
    return Malformed(where, "no \"hal_cts_report\" schema version: not a hal-cts report");
  }
  ReadReport result;
  result.schema = schema->get<int>();
  if (result.schema != 1 && result.schema != 2) {
    return Malformed(where, absl::StrCat("schema version ", schema->dump(),
                                         " (this hal-cts reads versions 1 and 2)"));
  }
  absl::StatusOr<std::string> verdict = StringAt(report, "verdict", true, where);
  if (!verdict.ok()) return verdict.status();
  result.verdict = *std::move(verdict);

  absl::StatusOr<const json*> devices = ArrayAt(report, "devices", where);
  if (!devices.ok()) return devices.status();
  for (size_t i = 0; i < (*devices)->size(); ++i) {
    absl::StatusOr<DeviceRecord> device =
        ReadDevice((**devices)[i], absl::StrCat(where, ": devices[", i, "]"));
    if (!device.ok()) return device.status();
    result.devices.push_back(*std::move(device));
  }
  absl::StatusOr<const json*> tests = ArrayAt(report, "tests", where);
  if (!tests.ok()) return tests.status();
  for (size_t i = 0; i < (*tests)->size(); ++i) {
    const std::string test_where = absl::StrCat(where, ": tests[", i, "]");
    absl::StatusOr<TestRecord> test = ReadTest((**tests)[i], test_where);
    if (!test.ok()) return test.status();
    if (!test->device.empty() &&
        std::none_of(result.devices.begin(), result.devices.end(),
                     [&](const DeviceRecord& device) { return device.id == test->device; })) {
      return Malformed(test_where,
                       absl::StrCat("device \"", test->device, "\" is not among \"devices\""));
    }
    result.tests.push_back(*std::move(test));
  }
  return result;
}

}  // namespace hal::cts
