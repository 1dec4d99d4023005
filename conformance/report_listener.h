// Collects every test's outcome for the report as GoogleTest runs, telling
// apart the two kinds of skip (conformance/skip.h) and counting failures that
// happen outside any test (environment and suite set-up or tear-down).
#ifndef HAL_CONFORMANCE_REPORT_LISTENER_H_
#define HAL_CONFORMANCE_REPORT_LISTENER_H_

#include <vector>

#include "conformance/report.h"
#include "gtest/gtest.h"

namespace hal::cts {

class ReportListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& test_info) override;
  void OnTestSuiteEnd(const ::testing::TestSuite& test_suite) override;
  void OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) override;

  const std::vector<TestRecord>& tests() const { return tests_; }

 private:
  std::vector<TestRecord> tests_;
};

// The record of a finished test: its outcome, skip kind and message.
TestRecord ClassifyTest(const ::testing::TestInfo& test_info);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORT_LISTENER_H_
