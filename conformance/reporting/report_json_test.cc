#include "conformance/reporting/report_json.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "conformance/report.h"
#include "conformance/reporting/build_info.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TestRecord Record(const char* name, const char* device, TestOutcome outcome,
                  SkipKind skip_kind = SkipKind::kNone, const char* message = "") {
  TestRecord record;
  record.name = name;
  record.device = device;
  record.group = "Suite/dev";
  record.outcome = outcome;
  record.skip_kind = skip_kind;
  record.message = message;
  record.seconds = 0.5;
  return record;
}

// Two devices: cpu:0 passes everything, broken:0 has one test of each kind.
Report TwoDeviceReport() {
  Report report;
  report.devices = {{"cpu:0", "cpu", "0.1.0", "2.0", "host", "hal", "u-1"},
                    {"broken:0", "broken", "0.1.0", "2.0", "host", "hal", "u-2"}};
  report.tests = {
      Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed),
      Record("Copy.A/broken_0", "broken:0", TestOutcome::kPassed),
      Record("Copy.B/broken_0", "broken:0", TestOutcome::kFailed, SkipKind::kNone, "byte 3"),
      Record("Event.T/broken_0", "broken:0", TestOutcome::kCrashed, SkipKind::kNone,
             "crashed: SIGSEGV"),
      Record("Event.S/broken_0", "broken:0", TestOutcome::kTimedOut, SkipKind::kNone,
             "timed out: deadline 5 s"),
      Record("Fill.X/broken_0", "broken:0", TestOutcome::kSkipped, SkipKind::kUnsupported, "no"),
      Record("Fill.Y/broken_0", "broken:0", TestOutcome::kSkipped, SkipKind::kKnownFailure, "bug"),
      Record("CtsSelfTest.Spec", "", TestOutcome::kPassed)};
  report.settings.jobs = 2;
  report.settings.test_timeout_seconds = 5;
  report.expected_failures = ExpectedFailuresFile{"gaps.json", std::string(64, 'a'), 12};
  return report;
}

nlohmann::json Parsed(const Report& report) { return nlohmann::json::parse(ReportJson(report)); }

TEST(ReportJsonTest, NamesTheSuiteAndTheSettings) {
  const nlohmann::json json = Parsed(TwoDeviceReport());
  EXPECT_EQ(json["hal_cts_report"], 2);
  EXPECT_EQ(json["suite"]["name"], "hal-cts");
  EXPECT_EQ(json["suite"]["version"], SuiteVersion());
  EXPECT_EQ(json["suite"]["build"], SuiteBuildHash());
  EXPECT_FALSE(std::string(SuiteBuildHash()).empty());
  EXPECT_EQ(json["settings"]["jobs"], 2);
  EXPECT_EQ(json["settings"]["test_timeout_seconds"], 5.0);
  EXPECT_EQ(json["settings"]["no_fork"], false);
  EXPECT_EQ(json["settings"]["verify_known_failures"], false);
  EXPECT_EQ(json["settings"]["expected_failures"]["path"], "gaps.json");
  EXPECT_EQ(json["settings"]["expected_failures"]["sha256"], std::string(64, 'a'));
  EXPECT_EQ(json["settings"]["expected_failures"]["size"], 12);
}

TEST(ReportJsonTest, NoExpectedFailuresFileIsNull) {
  Report report = TwoDeviceReport();
  report.expected_failures.reset();
  EXPECT_TRUE(Parsed(report)["settings"]["expected_failures"].is_null());
}

TEST(ReportJsonTest, CountsPerDeviceWithPassRate) {
  const nlohmann::json json = Parsed(TwoDeviceReport());
  ASSERT_EQ(json["devices"].size(), 2u);
  const nlohmann::json& cpu = json["devices"][0];
  EXPECT_EQ(cpu["driver"], "cpu");
  EXPECT_EQ(cpu["abi_version"], "2.0");
  EXPECT_EQ(cpu["uuid"], "u-1");
  EXPECT_EQ(cpu["summary"]["passed"], 1);
  EXPECT_EQ(cpu["summary"]["pass_rate"], 1.0);
  const nlohmann::json& broken = json["devices"][1]["summary"];
  EXPECT_EQ(broken["passed"], 1);
  EXPECT_EQ(broken["failed"], 1);
  EXPECT_EQ(broken["crashed"], 1);
  EXPECT_EQ(broken["timed_out"], 1);
  EXPECT_EQ(broken["skipped"], 2);
  EXPECT_EQ(broken["skipped_unsupported"], 1);
  EXPECT_EQ(broken["skipped_known_failure"], 1);
  EXPECT_EQ(broken["pass_rate"], 0.25);  // skips are left out
  // The totals include the suite's self-test, which belongs to no device.
  EXPECT_EQ(json["summary"]["passed"], 3);
  EXPECT_EQ(json["verdict"], "not conformant");
}

TEST(ReportJsonTest, PassRateOfNothingRunIsNull) {
  Report report = TwoDeviceReport();
  report.tests.clear();
  EXPECT_TRUE(Parsed(report)["devices"][0]["summary"]["pass_rate"].is_null());
}

TEST(ReportJsonTest, TestsCarryResultGroupSecondsAndMessage) {
  const nlohmann::json json = Parsed(TwoDeviceReport());
  const nlohmann::json& crashed = json["tests"][3];
  EXPECT_EQ(crashed["name"], "Event.T/broken_0");
  EXPECT_EQ(crashed["result"], "crashed");
  EXPECT_EQ(crashed["group"], "Suite/dev");
  EXPECT_EQ(crashed["seconds"], 0.5);
  EXPECT_EQ(crashed["message"], "crashed: SIGSEGV");
  EXPECT_FALSE(crashed.contains("skip_kind"));
  EXPECT_EQ(json["tests"][4]["result"], "timed_out");
  EXPECT_EQ(json["tests"][6]["skip_kind"], "known_failure");
  EXPECT_FALSE(json["tests"][0].contains("message"));
}

TEST(ReportJsonTest, CoverageTableIsWrittenAsGivenOrNull) {
  Report report = TwoDeviceReport();
  EXPECT_TRUE(Parsed(report)["coverage"].is_null());
  report.coverage = nlohmann::ordered_json{{"stream_fill", {{"success", {"Fill.*"}}}}};
  EXPECT_EQ(Parsed(report)["coverage"]["stream_fill"]["success"][0], "Fill.*");
}

TEST(ReportJsonTest, InvalidUtf8IsReplaced) {
  Report report = TwoDeviceReport();
  report.tests[2].message = "byte \xff";
  EXPECT_EQ(Parsed(report)["tests"][2]["message"], "byte \xEF\xBF\xBD");
}

TEST(ReportJsonTest, ErrorIsPresentOnlyWhenSet) {
  Report report = TwoDeviceReport();
  EXPECT_FALSE(Parsed(report).contains("error"));
  report.error = "no device";
  EXPECT_EQ(Parsed(report)["error"], "no device");
}

TEST(ReportTest, VerdictNeedsADeviceAndNoFailureCrashOrTimeout) {
  Report report = TwoDeviceReport();
  EXPECT_FALSE(report.conformant());
  for (TestOutcome bad : {TestOutcome::kFailed, TestOutcome::kCrashed, TestOutcome::kTimedOut}) {
    Report one_bad = TwoDeviceReport();
    one_bad.tests = {Record("A.B/cpu_0", "cpu:0", TestOutcome::kPassed),
                     Record("A.C/cpu_0", "cpu:0", bad)};
    EXPECT_FALSE(one_bad.conformant()) << OutcomeName(bad);
  }
  report.tests = {Record("A.B/cpu_0", "cpu:0", TestOutcome::kPassed),
                  Record("A.C/cpu_0", "cpu:0", TestOutcome::kSkipped, SkipKind::kKnownFailure)};
  EXPECT_TRUE(report.conformant());
  report.devices.clear();
  EXPECT_FALSE(report.conformant());
}

TEST(ReportTest, SummaryLineNamesCrashesAndTimeouts) {
  EXPECT_THAT(SummaryLine(TwoDeviceReport()),
              HasSubstr("3 passed, 1 failed, 1 crashed, 1 timed out, 2 skipped"));
}

class TempFile {
 public:
  explicit TempFile(const std::string& contents)
      : path_(::testing::TempDir() + "hal_cts_report_test_" + std::to_string(getpid())) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ReportTest, ExpectedFailuresFileIsDescribedByDigestAndSize) {
  TempFile file("abc");
  absl::StatusOr<ExpectedFailuresFile> described = DescribeExpectedFailuresFile(file.path());
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->path, file.path());
  EXPECT_EQ(described->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(described->size, 3u);
}

TEST(ReportTest, MissingOrIrregularExpectedFailuresFileIsAnError) {
  EXPECT_EQ(DescribeExpectedFailuresFile("/nonexistent/gaps.json").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(DescribeExpectedFailuresFile("/").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReportTest, WriteReportWritesTheJsonOrSaysWhyNot) {
  TempFile file("");
  ASSERT_TRUE(WriteReport(file.path(), TwoDeviceReport()).ok());
  std::ifstream written(file.path());
  const nlohmann::json json = nlohmann::json::parse(written);
  EXPECT_EQ(json["verdict"], "not conformant");

  const absl::Status status = WriteReport("/nonexistent/dir/r.json", TwoDeviceReport());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("cannot write the report to /nonexistent/dir/r.json"));
}

}  // namespace
}  // namespace hal::cts
