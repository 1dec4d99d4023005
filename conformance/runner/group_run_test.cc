// A group's bookkeeping as the runner feeds it: records in list order, a
// crash named by its signal with the child's last output, a hang by its
// deadline, the remaining tests handed to a fresh child, a child that dies
// before any test recorded (never retried forever, never dropped), and
// garbage from a child turning the running test into a failure.
#include "conformance/runner/group_run.h"

#include <csignal>

#include "conformance/reporting/record_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = GroupRun::Clock;
using Kind = ChildEvent::Kind;

constexpr std::chrono::seconds kTimeout(10);

TestGroup ThreeTests() {
  TestGroup group;
  group.name = "Copy/cpu_0";
  group.device_id = "cpu:0";
  group.tests = {"Copy.A/cpu_0", "Copy.B/cpu_0", "Copy.C/cpu_0"};
  group.test_groups.assign(3, "Copy/cpu_0");
  return group;
}

ChildEvent End(const std::string& name, TestOutcome outcome = TestOutcome::kPassed) {
  TestRecord record;
  record.name = name;
  record.outcome = outcome;
  return {Kind::kEnd, TestRecordToJsonLine(record)};
}

class GroupRunTest : public ::testing::Test {
 protected:
  void Start() { run_.ChildStarted(now_); }
  void Send(const ChildEvent& event) { run_.OnEvent(event, now_); }
  void Pass(const std::string& name) {
    Send({Kind::kStart, name});
    Send(End(name));
  }
  void Exit(ChildExit exit, absl::string_view output = "") { run_.ChildExited(exit, output, now_); }

  Clock::time_point now_ = Clock::now();
  GroupRun run_{ThreeTests(), kTimeout};
};

TEST_F(GroupRunTest, CleanRunRecordsEveryTestWithItsGroupAndDevice) {
  Start();
  for (const std::string& test : ThreeTests().tests) Pass(test);
  Exit({false, 0});
  EXPECT_FALSE(run_.NeedsChild());
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 3u);
  for (const TestRecord& record : records) {
    EXPECT_EQ(record.outcome, TestOutcome::kPassed);
    EXPECT_EQ(record.seconds, 0) << "no time passed on the test's clock";
    EXPECT_EQ(record.group, "Copy/cpu_0");
    EXPECT_EQ(record.device, "cpu:0");
  }
}

TEST_F(GroupRunTest, CrashIsRecordedWithItsSignalAndTheRestRunInAFreshChild) {
  Start();
  Pass("Copy.A/cpu_0");
  Send({Kind::kStart, "Copy.B/cpu_0"});
  now_ += std::chrono::milliseconds(250);
  Exit({true, SIGSEGV}, "driver: about to fault");
  ASSERT_TRUE(run_.NeedsChild());
  EXPECT_THAT(run_.TestsToRun(), ElementsAre("Copy.C/cpu_0"));
  Start();
  Pass("Copy.C/cpu_0");
  Exit({false, 0});
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].name, "Copy.B/cpu_0");
  EXPECT_EQ(records[1].outcome, TestOutcome::kCrashed);
  EXPECT_THAT(records[1].message, HasSubstr("killed by SIGSEGV"));
  EXPECT_THAT(records[1].message, HasSubstr("driver: about to fault"));
  EXPECT_DOUBLE_EQ(records[1].seconds, 0.25);
  EXPECT_EQ(records[2].outcome, TestOutcome::kPassed);
}

TEST_F(GroupRunTest, HangIsTimedOutAtTheDeadlineNamingIt) {
  Start();
  Send({Kind::kStart, "Copy.A/cpu_0"});
  EXPECT_EQ(run_.Deadline(), now_ + kTimeout);
  now_ += kTimeout;
  run_.DeadlinePassed(now_);
  Exit({true, SIGKILL});
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 1u) << "the killed child's SIGKILL is no extra failure";
  EXPECT_EQ(records[0].outcome, TestOutcome::kTimedOut);
  EXPECT_THAT(records[0].message, HasSubstr("deadline of 10 s (--test-timeout)"));
  EXPECT_THAT(run_.TestsToRun(), ElementsAre("Copy.B/cpu_0", "Copy.C/cpu_0"));
  EXPECT_TRUE(run_.NeedsChild());
}

TEST_F(GroupRunTest, ChildThatDiesBeforeAnyTestHasItsTestsRecordedAsNotRun) {
  Start();
  Send({Kind::kError, "opening device cpu:0 failed"});
  Exit({false, 2});
  EXPECT_FALSE(run_.NeedsChild()) << "a child that got nowhere is not started again";
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 3u);
  for (const TestRecord& record : records) {
    EXPECT_EQ(record.outcome, TestOutcome::kFailed);
    EXPECT_THAT(record.message, HasSubstr("not run: the child process ended (exit status 2) "
                                          "before the test started: opening device cpu:0"));
  }
}

TEST_F(GroupRunTest, GarbageDuringATestFailsItWhateverItsEndSays) {
  Start();
  Send({Kind::kStart, "Copy.A/cpu_0"});
  Send(ParseChildLine("\x7f garbage"));
  Send(End("Copy.A/cpu_0"));
  Send({Kind::kStart, "Copy.B/cpu_0"});
  Send({Kind::kEnd, R"({"name": "Copy.B/cpu_0", "outcome": "passed", "bogus": 1})"});
  Send(End("Copy.B/cpu_0"));
  Pass("Copy.C/cpu_0");
  Exit({false, 0});
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].outcome, TestOutcome::kFailed);
  EXPECT_THAT(records[0].message, HasSubstr("not a line of the child protocol"));
  EXPECT_EQ(records[1].outcome, TestOutcome::kFailed);
  EXPECT_THAT(records[1].message, HasSubstr("an unreadable end record"));
  EXPECT_EQ(records[2].outcome, TestOutcome::kPassed);
}

TEST_F(GroupRunTest, GarbageOutsideTestsAndStrayRecordsFailTheGroupNotATest) {
  Start();
  Send(ParseChildLine("oops"));
  Send({Kind::kStart, "Other.X/cpu_0"});          // not this group's
  Send(End("Copy.C/cpu_0"));                      // not running
  Send(End("Fake.Passed/cpu_0"));                 // a pass outside any test
  Send(End("(global set-up or tear-down)", TestOutcome::kFailed));  // believed
  for (const std::string& test : ThreeTests().tests) Pass(test);
  Exit({false, 1});
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 5u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(records[i].outcome, TestOutcome::kPassed) << i;
  EXPECT_EQ(records[3].name, "(global set-up or tear-down)");
  EXPECT_EQ(records[3].group, "Copy/cpu_0");
  EXPECT_EQ(records[4].name, "Copy/cpu_0 (child process)");
  EXPECT_EQ(records[4].outcome, TestOutcome::kFailed);
  EXPECT_THAT(records[4].message, HasSubstr("not a line of the child protocol"));
  EXPECT_THAT(records[4].message, HasSubstr("\"start Other.X/cpu_0\""));
  EXPECT_THAT(records[4].message, HasSubstr("an end record of Copy.C/cpu_0"));
  EXPECT_THAT(records[4].message, HasSubstr("an end record of Fake.Passed/cpu_0"));
}

TEST_F(GroupRunTest, CrashAfterTheLastTestIsAFailureOfTheGroup) {
  Start();
  for (const std::string& test : ThreeTests().tests) Pass(test);
  Exit({true, SIGABRT});
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[3].name, "Copy/cpu_0 (child process)");
  EXPECT_THAT(records[3].message, HasSubstr("ended with SIGABRT after its last test"));
}

TEST_F(GroupRunTest, HangOutsideATestIsKilledAtTheDeadlineCountedFromTheLastLine) {
  Start();
  Pass("Copy.A/cpu_0");
  now_ += std::chrono::seconds(3);
  Send({Kind::kStart, "Copy.B/cpu_0"});
  Send(End("Copy.B/cpu_0"));
  EXPECT_EQ(run_.Deadline(), now_ + kTimeout);
  now_ += kTimeout;
  run_.DeadlinePassed(now_);
  Exit({true, SIGKILL});
  EXPECT_THAT(run_.TestsToRun(), ElementsAre("Copy.C/cpu_0"));
  const std::vector<TestRecord> records = run_.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[2].message, HasSubstr("did nothing for 10 s outside any test"));
}

TEST(DescribeChildExitTest, NamesSignalsAndStatuses) {
  EXPECT_EQ(DescribeChildExit({true, SIGSEGV}), "SIGSEGV");
  EXPECT_EQ(DescribeChildExit({true, SIGKILL}), "SIGKILL");
  EXPECT_EQ(DescribeChildExit({false, 3}), "exit status 3");
}

}  // namespace
}  // namespace hal::cts
