#include "conformance/reporting/compare.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/report.h"
#include "conformance/reporting/report_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

// A report file that is removed when the test ends.
class ReportFile {
 public:
  explicit ReportFile(const std::string& text) {
    static int count = 0;
    path_ = ::testing::TempDir() + "hal_cts_compare_" + std::to_string(getpid()) + "_" +
            std::to_string(count++) + ".json";
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~ReportFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TestRecord Record(std::string name, std::string device, TestOutcome outcome,
                  std::string message = "") {
  TestRecord record;
  record.name = std::move(name);
  record.device = std::move(device);
  record.outcome = outcome;
  if (outcome == TestOutcome::kSkipped) record.skip_kind = SkipKind::kUnsupported;
  record.message = std::move(message);
  return record;
}

std::string CpuReport(const std::string& device_id, std::vector<TestRecord> tests) {
  Report report;
  report.devices = {{device_id, "cpu", "0.1.0", "2.0", "host CPU", "hal", "u"}};
  report.tests = std::move(tests);
  return ReportJson(report);
}

struct Compared {
  int exit_status;
  std::string out, err;
};

Compared Compare(const std::string& a_text, const std::string& b_text) {
  ReportFile a(a_text), b(b_text);
  std::ostringstream out, err;
  const int exit_status = RunCompare(a.path(), b.path(), out, err);
  return {exit_status, out.str(), err.str()};
}

TEST(CompareTest, RegressionsFirstThenFixesAppearedDisappearedAndOtherChanges) {
  const Compared compared = Compare(
      CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed),
                          Record("Copy.B/cpu_0", "cpu:0", TestOutcome::kFailed),
                          Record("Copy.C/cpu_0", "cpu:0", TestOutcome::kPassed),
                          Record("Copy.D/cpu_0", "cpu:0", TestOutcome::kPassed),
                          Record("Copy.Gone/cpu_0", "cpu:0", TestOutcome::kPassed),
                          Record("Copy.E/cpu_0", "cpu:0", TestOutcome::kFailed),
                          Record("Copy.Same/cpu_0", "cpu:0", TestOutcome::kPassed)}),
      CpuReport("cpu:0",
                {Record("Copy.New/cpu_0", "cpu:0", TestOutcome::kPassed),
                 Record("Copy.E/cpu_0", "cpu:0", TestOutcome::kSkipped),
                 Record("Copy.B/cpu_0", "cpu:0", TestOutcome::kPassed),
                 Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kCrashed, "crashed: SIGSEGV\nmore"),
                 Record("Copy.C/cpu_0", "cpu:0", TestOutcome::kTimedOut),
                 Record("Copy.D/cpu_0", "cpu:0", TestOutcome::kFailed),
                 Record("Copy.Same/cpu_0", "cpu:0", TestOutcome::kPassed)}));
  EXPECT_EQ(compared.exit_status, kCompareRegression);
  const std::string& out = compared.out;
  const std::vector<std::string> in_order = {
      "Regressions (3):\n",
      "  Copy.A/cpu_0 [cpu:0]: passed -> crashed: crashed: SIGSEGV more\n",
      "  Copy.C/cpu_0 [cpu:0]: passed -> timed_out\n",
      "  Copy.D/cpu_0 [cpu:0]: passed -> failed\n",
      "Fixes (1):\n  Copy.B/cpu_0 [cpu:0]: failed -> passed\n",
      "Appeared (1):\n  Copy.New/cpu_0 [cpu:0]: new, passed\n",
      "Disappeared (1):\n  Copy.Gone/cpu_0 [cpu:0]: gone, was passed\n",
      "Other changes (1):\n  Copy.E/cpu_0 [cpu:0]: failed -> skipped (unsupported)\n",
      "3 regressions, 1 fixes, 1 appeared, 1 disappeared, 1 other changes\n"};
  size_t position = 0;
  for (const std::string& expected : in_order) {
    const size_t found = out.find(expected, position);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << expected << "\n" << out;
    position = found + expected.size();
  }
  EXPECT_THAT(out, ::testing::Not(HasSubstr("Copy.Same")));
  EXPECT_TRUE(compared.err.empty());
}

TEST(CompareTest, FixesAloneAreNoRegression) {
  const Compared compared =
      Compare(CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kFailed)}),
              CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed)}));
  EXPECT_EQ(compared.exit_status, kCompareNoRegression);
  EXPECT_THAT(compared.out, HasSubstr("0 regressions, 1 fixes"));
}

TEST(CompareTest, DevicesMatchByDriverAndNameNotId) {
  const Compared compared =
      Compare(CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed),
                                  Record("Copy.Size/cpu_0_64", "cpu:0", TestOutcome::kPassed)}),
              CpuReport("cpu:1", {Record("Copy.A/cpu_1", "cpu:1", TestOutcome::kFailed),
                                  Record("Copy.Size/cpu_1_64", "cpu:1", TestOutcome::kPassed)}));
  EXPECT_EQ(compared.exit_status, kCompareRegression);
  EXPECT_THAT(compared.out, HasSubstr("Copy.A/cpu_1 [cpu:1]: passed -> failed"));
  EXPECT_THAT(compared.out, HasSubstr("1 regressions, 0 fixes, 0 appeared, 0 disappeared"));
}

TEST(CompareTest, AnotherDeviceIsAppearedAndDisappeared) {
  Report other;
  other.devices = {{"cpu:0", "cpu", "0.1.0", "2.0", "another CPU", "hal", "u"}};
  other.tests = {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kFailed)};
  const Compared compared =
      Compare(CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed)}),
              ReportJson(other));
  EXPECT_EQ(compared.exit_status, kCompareNoRegression);
  EXPECT_THAT(compared.out, HasSubstr("1 appeared, 1 disappeared"));
}

TEST(CompareTest, ReadsSchema1Reports) {
  const std::string schema1 = R"({"hal_cts_report": 1,
    "devices": [{"id": "cpu:0", "driver": "cpu", "driver_version": "0.1.0", "abi_version": "2.0",
                 "name": "host CPU", "vendor": "hal", "uuid": "u"}],
    "tests": [{"name": "Copy.A/cpu_0", "device": "cpu:0", "result": "passed"},
              {"name": "Fill.B/cpu_0", "device": "cpu:0", "result": "skipped",
               "skip_kind": "known_failure", "message": "bug 7"}],
    "summary": {"passed": 1, "failed": 0, "skipped": 1, "skipped_unsupported": 0,
                "skipped_known_failure": 1},
    "verdict": "conformant"})";
  const Compared compared =
      Compare(schema1, CpuReport("cpu:0", {Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kFailed),
                                           Record("Fill.B/cpu_0", "cpu:0", TestOutcome::kPassed)}));
  EXPECT_EQ(compared.exit_status, kCompareRegression) << compared.err;
  EXPECT_THAT(compared.out, HasSubstr("(schema 1, conformant) -> "));
  EXPECT_THAT(compared.out, HasSubstr("Fill.B/cpu_0 [cpu:0]: skipped (known_failure) -> passed"));
}

TEST(CompareTest, UnreadableOrMalformedReportIsExit2WithTheReason) {
  const std::string good = CpuReport("cpu:0", {Record("A.B/cpu_0", "cpu:0", TestOutcome::kPassed)});
  struct Bad {
    std::string text;
    const char* reason;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"{", "not valid JSON"},
           {"[]", "not a JSON object"},
           {"{\"tests\": []}", "not a hal-cts report"},
           {R"({"hal_cts_report": 3, "devices": [], "tests": [], "verdict": "x"})",
            "schema version 3 (this hal-cts reads versions 1 and 2)"},
           {R"({"hal_cts_report": 2, "devices": [], "verdict": "x"})",
            "\"tests\" is missing or not an array"},
           {R"({"hal_cts_report": 2, "devices": [], "tests": [{"name": "A", "device": "",
               "result": "exploded"}], "verdict": "x"})",
            "tests[0]: unknown result \"exploded\""},
           {R"({"hal_cts_report": 2, "devices": [], "tests": [{"name": "A", "device": "cpu:9",
               "result": "passed"}], "verdict": "x"})",
            "device \"cpu:9\" is not among \"devices\""},
           {R"({"hal_cts_report": 2, "devices": [{"id": 1}], "tests": [], "verdict": "x"})",
            "devices[0]: \"id\" is missing or not a string"},
           {R"({"hal_cts_report": 2, "hal_cts_report": 2})", "duplicate key"}}) {
    const Compared compared = Compare(good, bad.text);
    EXPECT_EQ(compared.exit_status, kCompareUnreadable) << bad.text;
    EXPECT_THAT(compared.err, HasSubstr(bad.reason)) << bad.text;
    EXPECT_TRUE(compared.out.empty());
  }
  std::ostringstream out, err;
  EXPECT_EQ(RunCompare("/nonexistent/a.json", "/nonexistent/b.json", out, err), kCompareUnreadable);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent/a.json"));
}

}  // namespace
}  // namespace hal::cts
