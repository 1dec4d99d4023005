// What the parent knows about one group while its child processes run: which
// test is running and since when, the records received, and what to record
// when a child crashes, hangs, writes garbage or dies before a test started.
// No processes here: the runner (runner.cc) feeds it events and exits, so that
// every rule of docs/cts.md "Crashes and hangs" is a plain function of them.
#ifndef HAL_CONFORMANCE_RUNNER_GROUP_RUN_H_
#define HAL_CONFORMANCE_RUNNER_GROUP_RUN_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "conformance/report.h"
#include "conformance/runner/child_protocol.h"
#include "conformance/runner/test_groups.h"

namespace hal::cts {

// How a child process ended.
struct ChildExit {
  bool signaled = false;  // killed by signal `code`; else exited with status `code`
  int code = 0;
};
// "SIGSEGV" or "exit status 3".
std::string DescribeChildExit(const ChildExit& exit);

class GroupRun {
 public:
  using Clock = std::chrono::steady_clock;

  GroupRun(TestGroup group, std::chrono::duration<double> test_timeout);

  const TestGroup& group() const { return group_; }
  // The tests the next child runs: those neither recorded nor running.
  std::vector<std::string> TestsToRun() const;
  // True while tests remain and the last child ran at least one test, so a
  // fresh child will get further. A child that started no test is not
  // retried: its tests are recorded as not run instead (ChildExited).
  bool NeedsChild() const;

  void ChildStarted(Clock::time_point now);
  void OnEvent(const ChildEvent& event, Clock::time_point now);
  // When the child must next be heard from: the running test's deadline, or,
  // between tests (set-up, tear-down), the deadline counted from its last line.
  Clock::time_point Deadline() const;
  // The deadline passed: the running test is recorded as timed out (the
  // runner then kills the child).
  void DeadlinePassed(Clock::time_point now);
  // The child is gone. A running test is recorded as crashed with the
  // signal or exit status; `output_tail` (the end of what the child printed)
  // goes into the message of every record this writes.
  void ChildExited(const ChildExit& exit, absl::string_view output_tail,
                   Clock::time_point now);

  // The records so far: the group's tests in list order, then failures
  // outside any test (suite or global set-up and tear-down, the child
  // process itself).
  std::vector<TestRecord> Records() const;

 private:
  enum class State { kPending, kRunning, kDone };

  void Problem(std::string what);
  void Finish(size_t test, TestRecord record);
  std::optional<size_t> FindTest(absl::string_view name) const;
  std::chrono::duration<double> Since(Clock::time_point start, Clock::time_point now) const;

  TestGroup group_;
  std::chrono::duration<double> timeout_;
  std::vector<State> states_;
  std::vector<std::optional<TestRecord>> records_;
  std::vector<TestRecord> extra_records_;

  // The current child.
  std::optional<size_t> running_;
  Clock::time_point running_since_{}, last_heard_{};
  bool child_started_a_test_ = false;
  bool killed_for_deadline_ = false;
  // Protocol problems: of the running test, else of the child.
  std::vector<std::string> test_problems_, child_problems_;
  std::optional<std::string> child_error_;  // its "error" line
};

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_GROUP_RUN_H_
