// Reads a hal-cts JSON report back (for --compare): schema 2 and the schema 1
// reports of earlier hal-cts versions. A report is hostile input: its size is
// bounded, duplicate keys and wrong types are refused, and the error names the
// file and what is wrong.
#ifndef HAL_CONFORMANCE_REPORTING_REPORT_READER_H_
#define HAL_CONFORMANCE_REPORTING_REPORT_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "conformance/report.h"

namespace hal::cts {

// Far above a report of thousands of tests with long messages.
inline constexpr uint64_t kMaxReportFileBytes = uint64_t{256} << 20;

struct ReadReport {
  int schema = 0;  // 1 or 2
  std::vector<DeviceRecord> devices;
  // name, device, outcome, skip_kind and message; schema 2's group and seconds
  // when present.
  std::vector<TestRecord> tests;
  std::string verdict;
};

// NotFound / InvalidArgument from reading the file; InvalidArgument naming
// the file and the problem for invalid JSON, a schema other than 1 or 2, a
// missing or mistyped field that --compare needs, or an unknown result.
// Unknown keys are accepted: fields are only ever added within a schema.
absl::StatusOr<ReadReport> ReadReportFile(const std::string& path);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_REPORT_READER_H_
