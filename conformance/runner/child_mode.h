// The child's side of the runner: a hal-cts started with a hidden flag
// (kChildEventsFlag, kChildListFlag) writes the child protocol
// (child_protocol.h) on the fd it names.
#ifndef HAL_CONFORMANCE_RUNNER_CHILD_MODE_H_
#define HAL_CONFORMANCE_RUNNER_CHILD_MODE_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "conformance/report.h"
#include "conformance/report_listener.h"
#include "conformance/runner/child_protocol.h"
#include "gtest/gtest.h"

namespace hal::cts {

// Makes `fd` private to this process (not inherited by what it starts), and
// has the kernel kill this process if the runner dies, so no child outlives
// an aborted run.
void BecomeRunnerChild(int fd);

// Writes one protocol line on `fd`, whole, retrying short writes.
void WriteChildLine(int fd, ChildEvent::Kind kind, absl::string_view text);

// The report listener of a child running tests: besides collecting records,
// it writes "start <name>" as each test starts and "end <record>" for every
// record as it is made (tests, and failures in suite or global set-up and
// tear-down).
class ChildEventWriter : public ReportListener {
 public:
  explicit ChildEventWriter(int fd) : fd_(fd) {}

  void OnTestStart(const ::testing::TestInfo& test_info) override;
  void OnTestEnd(const ::testing::TestInfo& test_info) override;
  void OnTestSuiteEnd(const ::testing::TestSuite& test_suite) override;
  void OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) override;

 private:
  void SendNewRecords();

  int fd_;
  size_t sent_ = 0;
};

// List mode: the devices, then every test GoogleTest selected to run (after
// a RUN_ALL_TESTS with --gtest_list_tests, which selects without running).
void WriteListing(int fd, const std::vector<DeviceRecord>& devices);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_CHILD_MODE_H_
