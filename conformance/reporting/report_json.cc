#include "conformance/reporting/report_json.h"

#include <optional>

#include "conformance/reporting/build_info.h"
#include "nlohmann/json.hpp"

namespace hal::cts {
namespace {

using nlohmann::ordered_json;

ordered_json SummaryJson(const Summary& summary) {
  const std::optional<double> pass_rate = PassRate(summary);
  return {{"passed", summary.passed},
          {"failed", summary.failed},
          {"crashed", summary.crashed},
          {"timed_out", summary.timed_out},
          {"skipped", summary.skipped},
          {"skipped_unsupported", summary.skipped_unsupported},
          {"skipped_known_failure", summary.skipped_known_failure},
          {"pass_rate", pass_rate ? ordered_json(*pass_rate) : ordered_json(nullptr)}};
}

ordered_json DeviceJson(const DeviceRecord& device, const Report& report) {
  return {{"id", device.id},
          {"driver", device.driver},
          {"driver_version", device.driver_version},
          {"abi_version", device.abi_version},
          {"name", device.name},
          {"vendor", device.vendor},
          {"uuid", device.uuid},
          {"summary", SummaryJson(report.summary_of(device.id))}};
}

ordered_json TestJson(const TestRecord& test) {
  ordered_json json = {{"name", test.name},
                       {"device", test.device},
                       {"group", test.group},
                       {"result", OutcomeName(test.outcome)},
                       {"seconds", test.seconds}};
  if (test.outcome == TestOutcome::kSkipped) json["skip_kind"] = SkipKindName(test.skip_kind);
  if (!test.message.empty()) json["message"] = test.message;
  return json;
}

ordered_json SettingsJson(const Report& report) {
  ordered_json expected_failures = nullptr;
  if (report.expected_failures) {
    expected_failures = {{"path", report.expected_failures->path},
                         {"sha256", report.expected_failures->sha256},
                         {"size", report.expected_failures->size}};
  }
  return {{"jobs", report.settings.jobs},
          {"test_timeout_seconds", report.settings.test_timeout_seconds},
          {"no_fork", report.settings.no_fork},
          {"verify_known_failures", report.settings.verify_known_failures},
          {"expected_failures", expected_failures}};
}

}  // namespace

std::string ReportJson(const Report& report) {
  ordered_json json = {
      {"hal_cts_report", kReportSchemaVersion},
      {"suite", {{"name", "hal-cts"}, {"version", SuiteVersion()}, {"build", SuiteBuildHash()}}},
      {"settings", SettingsJson(report)},
      {"devices", ordered_json::array()},
      {"tests", ordered_json::array()},
      {"summary", SummaryJson(report.summary())},
      {"coverage", report.coverage ? *report.coverage : ordered_json(nullptr)},
      {"verdict", report.conformant() ? "conformant" : "not conformant"}};
  for (const DeviceRecord& device : report.devices) {
    json["devices"].push_back(DeviceJson(device, report));
  }
  for (const TestRecord& test : report.tests) json["tests"].push_back(TestJson(test));
  if (report.error) json["error"] = *report.error;
  return json.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace hal::cts
