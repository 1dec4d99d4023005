#include "conformance/reporting/summary.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

TestRecord Record(std::string name, std::string device, TestOutcome outcome,
                  std::string message = "", SkipKind skip_kind = SkipKind::kNone) {
  TestRecord record;
  record.name = std::move(name);
  record.device = std::move(device);
  record.outcome = outcome;
  record.skip_kind = skip_kind;
  record.message = std::move(message);
  return record;
}

std::string Summarized(const Report& report) {
  std::ostringstream out;
  PrintSummary(report, out);
  return out.str();
}

TEST(SummaryTest, OneLinePerDeviceThenCrashesTimeoutsAndFailures) {
  Report report;
  report.devices = {{"cpu:0", "cpu", "", "", "host CPU", "", ""},
                    {"broken:0", "broken", "", "", "host CPU", "", ""}};
  report.tests = {
      Record("Copy.A/cpu_0", "cpu:0", TestOutcome::kPassed),
      Record("Copy.B/broken_0", "broken:0", TestOutcome::kFailed, "copy.cc:4: byte 7\nsecond line"),
      Record("Copy.C/broken_0", "broken:0", TestOutcome::kPassed),
      Record("Event.S/broken_0", "broken:0", TestOutcome::kTimedOut, "timed out: 5 s"),
      Record("Event.T/broken_0", "broken:0", TestOutcome::kCrashed, "crashed: SIGSEGV"),
      Record("Fill.X/broken_0", "broken:0", TestOutcome::kSkipped, "", SkipKind::kUnsupported)};
  const std::string summary = Summarized(report);
  EXPECT_THAT(summary, HasSubstr("  cpu:0 (cpu, host CPU): 1 passed, 0 failed, 0 crashed, 0 "
                                 "timed out, 0 skipped (0 unsupported, 0 known failure); pass "
                                 "rate 100.0%\n"));
  EXPECT_THAT(summary, HasSubstr("  broken:0 (broken, host CPU): 1 passed, 1 failed, 1 crashed, "
                                 "1 timed out, 1 skipped (1 unsupported, 0 known failure); pass "
                                 "rate 25.0%\n"));
  const size_t crashed = summary.find("  crashed    Event.T/broken_0: crashed: SIGSEGV\n");
  const size_t timed_out = summary.find("  timed_out  Event.S/broken_0: timed out: 5 s\n");
  const size_t failed =
      summary.find("  failed     Copy.B/broken_0: copy.cc:4: byte 7 second line\n");
  ASSERT_NE(crashed, std::string::npos) << summary;
  ASSERT_NE(timed_out, std::string::npos) << summary;
  ASSERT_NE(failed, std::string::npos) << summary;
  EXPECT_LT(crashed, timed_out);
  EXPECT_LT(timed_out, failed);
  EXPECT_THAT(summary, HasSubstr(": not conformant\n"));
  EXPECT_THAT(summary, HasSubstr("Skips count as conformant: 1 unsupported"));
}

TEST(SummaryTest, LongMessagesAreCutAndAnEmptyDeviceHasNoPassRate) {
  Report report;
  report.devices = {{"cpu:0", "cpu", "", "", "host CPU", "", ""},
                    {"cpu:1", "cpu", "", "", "host CPU", "", ""}};
  report.tests = {Record("Copy.B/cpu_0", "cpu:0", TestOutcome::kFailed, std::string(500, 'x'))};
  const std::string summary = Summarized(report);
  EXPECT_THAT(summary, HasSubstr(std::string(200, 'x') + "...\n"));
  EXPECT_THAT(summary, ::testing::Not(HasSubstr(std::string(201, 'x'))));
  EXPECT_THAT(summary, HasSubstr("cpu:1 (cpu, host CPU): 0 passed, 0 failed, 0 crashed, 0 timed "
                                 "out, 0 skipped (0 unsupported, 0 known failure); pass rate n/a "
                                 "(none ran)\n"));
}

TEST(SummaryTest, OneLineExcerptJoinsLinesAndCutsAtACharacterBoundary) {
  EXPECT_EQ(OneLineExcerpt("  a.cc:3: Expected equality:\n  read_back\n    Which is: 1\n", 100),
            "a.cc:3: Expected equality: read_back Which is: 1");
  EXPECT_EQ(OneLineExcerpt("abcdef", 3), "abc...");
  EXPECT_EQ(OneLineExcerpt("ab\xC3\xA9z", 3), "ab...");  // not inside the 2-byte e-acute
  EXPECT_EQ(OneLineExcerpt("", 3), "");
}

TEST(SummaryTest, SaysWhyTheSuiteCouldNotRun) {
  Report report;
  report.error = "no device to test";
  EXPECT_THAT(Summarized(report), HasSubstr("hal-cts could not run: no device to test\n"));
}

}  // namespace
}  // namespace hal::cts
