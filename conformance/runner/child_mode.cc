#include "conformance/runner/child_mode.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "absl/strings/str_cat.h"
#include "conformance/reporting/record_json.h"

namespace hal::cts {

void BecomeRunnerChild(int fd) {
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void WriteChildLine(int fd, ChildEvent::Kind kind, absl::string_view text) {
  const std::string line = FormatChildLine(kind, text);
  absl::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the runner is gone; nothing to tell
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

void ChildEventWriter::OnTestStart(const ::testing::TestInfo& test_info) {
  WriteChildLine(fd_, ChildEvent::Kind::kStart,
                 absl::StrCat(test_info.test_suite_name(), ".", test_info.name()));
}

void ChildEventWriter::OnTestEnd(const ::testing::TestInfo& test_info) {
  ReportListener::OnTestEnd(test_info);
  SendNewRecords();
}

void ChildEventWriter::OnTestSuiteEnd(const ::testing::TestSuite& test_suite) {
  ReportListener::OnTestSuiteEnd(test_suite);
  SendNewRecords();
}

void ChildEventWriter::OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) {
  ReportListener::OnTestIterationEnd(unit_test, iteration);
  SendNewRecords();
}

void ChildEventWriter::SendNewRecords() {
  for (; sent_ < tests().size(); ++sent_) {
    WriteChildLine(fd_, ChildEvent::Kind::kEnd, TestRecordToJsonLine(tests()[sent_]));
  }
}

void WriteListing(int fd, const std::vector<DeviceRecord>& devices) {
  WriteChildLine(fd, ChildEvent::Kind::kDevices, DeviceRecordsToJsonLine(devices));
  const ::testing::UnitTest& unit_test = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit_test.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit_test.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const ::testing::TestInfo& test = *suite.GetTestInfo(j);
      if (!test.should_run()) continue;
      WriteChildLine(fd, ChildEvent::Kind::kTest, absl::StrCat(suite.name(), ".", test.name()));
    }
  }
}

}  // namespace hal::cts
