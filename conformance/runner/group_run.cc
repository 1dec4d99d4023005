#include "conformance/runner/group_run.h"

#include <csignal>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "conformance/reporting/record_json.h"

namespace hal::cts {
namespace {

std::string Seconds(std::chrono::duration<double> duration) {
  return absl::StrCat(duration.count(), " s");
}

std::string WithOutputTail(std::string message, absl::string_view output_tail) {
  if (!output_tail.empty()) {
    absl::StrAppend(&message, "\nThe child's last output:\n", output_tail);
  }
  return message;
}

}  // namespace

std::string DescribeChildExit(const ChildExit& exit) {
  if (!exit.signaled) return absl::StrCat("exit status ", exit.code);
  const char* abbreviation = sigabbrev_np(exit.code);
  return abbreviation != nullptr ? absl::StrCat("SIG", abbreviation)
                                 : absl::StrCat("signal ", exit.code);
}

GroupRun::GroupRun(TestGroup group, std::chrono::duration<double> test_timeout)
    : group_(std::move(group)),
      timeout_(test_timeout),
      states_(group_.tests.size(), State::kPending),
      records_(group_.tests.size()) {}

std::vector<std::string> GroupRun::TestsToRun() const {
  std::vector<std::string> tests;
  for (size_t i = 0; i < states_.size(); ++i) {
    if (states_[i] == State::kPending) tests.push_back(group_.tests[i]);
  }
  return tests;
}

bool GroupRun::NeedsChild() const { return !TestsToRun().empty(); }

void GroupRun::ChildStarted(Clock::time_point now) {
  running_.reset();
  last_heard_ = now;
  child_started_a_test_ = false;
  killed_for_deadline_ = false;
  test_problems_.clear();
  child_problems_.clear();
  child_error_.reset();
}

std::optional<size_t> GroupRun::FindTest(absl::string_view name) const {
  for (size_t i = 0; i < group_.tests.size(); ++i) {
    if (group_.tests[i] == name) return i;
  }
  return std::nullopt;
}

std::chrono::duration<double> GroupRun::Since(Clock::time_point start,
                                              Clock::time_point now) const {
  return std::chrono::duration<double>(now - start);
}

void GroupRun::Problem(std::string what) {
  (running_ ? test_problems_ : child_problems_).push_back(std::move(what));
}

void GroupRun::Finish(size_t test, TestRecord record) {
  record.name = group_.tests[test];
  record.device = group_.device_id;
  record.group = group_.test_groups[test];
  if (!test_problems_.empty()) {
    // Whatever the child claims, a test during which it wrote garbage failed.
    record.outcome = TestOutcome::kFailed;
    record.skip_kind = SkipKind::kNone;
    absl::StrAppend(&record.message, record.message.empty() ? "" : "\n",
                    "the child process wrote what the runner cannot read: ",
                    absl::StrJoin(test_problems_, "; "));
  }
  test_problems_.clear();
  records_[test] = std::move(record);
  states_[test] = State::kDone;
  running_.reset();
}

void GroupRun::OnEvent(const ChildEvent& event, Clock::time_point now) {
  last_heard_ = now;
  switch (event.kind) {
    case ChildEvent::Kind::kStart: {
      const std::optional<size_t> test = FindTest(event.text);
      if (running_ || !test || states_[*test] != State::kPending) {
        Problem(absl::StrCat("\"start ", event.text, "\" while ",
                             running_ ? group_.tests[*running_] : std::string("no test"),
                             " runs, or of a test not waiting to run in this group"));
        return;
      }
      running_ = *test;
      running_since_ = now;
      states_[*test] = State::kRunning;
      child_started_a_test_ = true;
      return;
    }
    case ChildEvent::Kind::kEnd: {
      absl::StatusOr<TestRecord> record = TestRecordFromJsonLine(event.text);
      if (!record.ok()) {
        Problem(absl::StrCat("an unreadable end record (", record.status().message(), ")"));
        return;
      }
      if (running_ && record->name == group_.tests[*running_]) {
        record->seconds = Since(running_since_, now).count();  // as the runner saw it
        Finish(*running_, *std::move(record));
        return;
      }
      // Only failures happen outside a test (suite or global set-up and
      // tear-down); a child claiming anything else there is not believed.
      if (!running_ && !FindTest(record->name) && record->outcome == TestOutcome::kFailed) {
        record->device = group_.device_id;
        record->group = group_.name;
        extra_records_.push_back(*std::move(record));
        return;
      }
      Problem(absl::StrCat("an end record of ", record->name, " that is not the running test"));
      return;
    }
    case ChildEvent::Kind::kError:
      child_error_ = event.text;
      return;
    case ChildEvent::Kind::kDevices:
    case ChildEvent::Kind::kTest:
      Problem("a list-mode line from a child running tests");
      return;
    case ChildEvent::Kind::kMalformed:
      Problem(event.text);
      return;
  }
}

GroupRun::Clock::time_point GroupRun::Deadline() const {
  const auto timeout = std::chrono::duration_cast<Clock::duration>(timeout_);
  return (running_ ? running_since_ : last_heard_) + timeout;
}

void GroupRun::DeadlinePassed(Clock::time_point now) {
  killed_for_deadline_ = true;
  if (!running_) {
    child_problems_.push_back(absl::StrCat("the child process did nothing for ", Seconds(timeout_),
                                           " outside any test (set-up or tear-down hung); "
                                           "killed at the deadline (--test-timeout)"));
    return;
  }
  TestRecord record;
  record.outcome = TestOutcome::kTimedOut;
  record.message = absl::StrCat("timed out: still running at the deadline of ", Seconds(timeout_),
                                " (--test-timeout); the child process was killed");
  record.seconds = Since(running_since_, now).count();
  Finish(*running_, std::move(record));
}

void GroupRun::ChildExited(const ChildExit& exit, absl::string_view output_tail,
                           Clock::time_point now) {
  const std::string how = DescribeChildExit(exit);
  const std::string error = child_error_ ? absl::StrCat(": ", *child_error_) : "";
  const bool died_in_a_test = running_.has_value();
  if (died_in_a_test) {
    TestRecord record;
    record.outcome = TestOutcome::kCrashed;
    record.message = WithOutputTail(
        exit.signaled
            ? absl::StrCat("crashed: the child process was killed by ", how, error)
            : absl::StrCat("crashed: the child process exited (", how, ") during the test", error),
        output_tail);
    record.seconds = Since(running_since_, now).count();
    Finish(*running_, std::move(record));
  }
  if (!child_started_a_test_) {
    // A child that dies before its first test would die again: the tests it
    // should have run are recorded, never dropped.
    for (size_t i = 0; i < states_.size(); ++i) {
      if (states_[i] != State::kPending) continue;
      TestRecord record;
      record.outcome = TestOutcome::kFailed;
      record.message = WithOutputTail(
          absl::StrCat("not run: the child process ended (", how, ") before the test started",
                       error),
          output_tail);
      Finish(i, std::move(record));
    }
  }
  // 0 and 1 (a test failed) are how a child ends; anything else after its
  // last test (a crash in tear-down) is a failure of the group.
  const bool abnormal = !killed_for_deadline_ && (exit.signaled || exit.code > 1);
  if (abnormal && !died_in_a_test && child_started_a_test_ && !NeedsChild()) {
    child_problems_.push_back(absl::StrCat("the child process ended with ", how, error,
                                           " after its last test"));
  }
  if (!child_problems_.empty()) {
    TestRecord record;
    record.name = absl::StrCat(group_.name, " (child process)");
    record.device = group_.device_id;
    record.group = group_.name;
    record.outcome = TestOutcome::kFailed;
    record.message = WithOutputTail(absl::StrJoin(child_problems_, "\n"), output_tail);
    extra_records_.push_back(std::move(record));
    child_problems_.clear();
  }
}

std::vector<TestRecord> GroupRun::Records() const {
  std::vector<TestRecord> records;
  for (const std::optional<TestRecord>& record : records_) {
    if (record) records.push_back(*record);
  }
  records.insert(records.end(), extra_records_.begin(), extra_records_.end());
  return records;
}

}  // namespace hal::cts
