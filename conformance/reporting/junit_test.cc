#include "conformance/reporting/junit.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TestRecord Record(std::string name, TestOutcome outcome, std::string message = "",
                  SkipKind skip_kind = SkipKind::kNone) {
  TestRecord record;
  record.name = std::move(name);
  record.device = "broken:0";
  record.outcome = outcome;
  record.skip_kind = skip_kind;
  record.message = std::move(message);
  record.seconds = 0.25;
  return record;
}

Report SampleReport() {
  Report report;
  report.devices = {{"broken:0", "broken", "0.1.0", "2.0", "host", "hal", "u"}};
  report.tests = {
      Record("Copy.A/broken_0", TestOutcome::kPassed),
      Record("Event.T/broken_0", TestOutcome::kCrashed, "crashed: SIGSEGV\nstderr tail"),
      Record("Copy.B/broken_0", TestOutcome::kFailed, "x.cc:3: byte <7> & \xff"),
      Record("Event.S/broken_0", TestOutcome::kTimedOut, "timed out: deadline 5 s"),
      Record("Fill.X/broken_0", TestOutcome::kSkipped, "no \"fp16\"", SkipKind::kUnsupported),
      Record("(global set-up or tear-down)", TestOutcome::kFailed, "leak")};
  return report;
}

TEST(JUnitTest, SuitesInOrderOfFirstAppearanceWithCounts) {
  const std::string xml = JUnitXml(SampleReport());
  EXPECT_THAT(xml, ::testing::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                         "<testsuites name=\"hal-cts\" tests=\"6\" failures=\"4\" "
                                         "errors=\"0\" skipped=\"1\" time=\"1.500\">\n"));
  const size_t copy = xml.find("<testsuite name=\"Copy\" tests=\"2\" failures=\"1\"");
  const size_t event = xml.find("<testsuite name=\"Event\" tests=\"2\" failures=\"2\"");
  const size_t fill = xml.find(
      "<testsuite name=\"Fill\" tests=\"1\" failures=\"0\" errors=\"0\" "
      "skipped=\"1\"");
  const size_t global = xml.find("<testsuite name=\"hal-cts\" tests=\"1\" failures=\"1\"");
  ASSERT_NE(copy, std::string::npos) << xml;
  ASSERT_NE(event, std::string::npos) << xml;
  ASSERT_NE(fill, std::string::npos) << xml;
  ASSERT_NE(global, std::string::npos) << xml;
  EXPECT_LT(copy, event);
  EXPECT_LT(event, fill);
  EXPECT_LT(fill, global);
  EXPECT_THAT(xml, ::testing::EndsWith("</testsuites>\n"));
}

TEST(JUnitTest, FailuresCrashesAndTimeoutsAreFailuresWithTheirType) {
  const std::string xml = JUnitXml(SampleReport());
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"A/broken_0\" classname=\"Copy\" time=\"0.250\"/>"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"crashed\" message=\"crashed: SIGSEGV\">crashed: "
                             "SIGSEGV\nstderr tail</failure>"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"timed_out\" message=\"timed out: deadline 5 s\">"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"failed\" message=\"x.cc:3: byte &lt;7&gt; &amp; "
                             "\xEF\xBF\xBD\">"));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"(global set-up or tear-down)\" "
                             "classname=\"hal-cts\""));
}

TEST(JUnitTest, SkipsCarryTheReasonAndKind) {
  const std::string xml = JUnitXml(SampleReport());
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"no &quot;fp16&quot;\"/>\n      <properties>"
                             "<property name=\"hal_cts_skip_kind\" value=\"unsupported\"/>"
                             "</properties>"));
  EXPECT_THAT(xml, Not(HasSubstr("\xff")));
}

TEST(JUnitTest, WriteJUnitWritesTheFileOrSaysWhyNot) {
  const std::string path = ::testing::TempDir() + "hal_cts_junit_test_" + std::to_string(getpid());
  ASSERT_TRUE(WriteJUnit(path, SampleReport()).ok());
  std::stringstream written;
  written << std::ifstream(path).rdbuf();
  std::remove(path.c_str());
  EXPECT_EQ(written.str(), JUnitXml(SampleReport()));

  const absl::Status status = WriteJUnit("/nonexistent/dir/j.xml", SampleReport());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("cannot write the JUnit XML to /nonexistent/dir/j.xml"));
}

}  // namespace
}  // namespace hal::cts
