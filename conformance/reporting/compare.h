// hal-cts --compare A.json B.json: what changed from run A to run B.
#ifndef HAL_CONFORMANCE_REPORTING_COMPARE_H_
#define HAL_CONFORMANCE_REPORTING_COMPARE_H_

#include <ostream>
#include <string>

namespace hal::cts {

// Exit statuses of RunCompare.
inline constexpr int kCompareNoRegression = 0;
inline constexpr int kCompareRegression = 1;
inline constexpr int kCompareUnreadable = 2;

// Reads two reports (schema 1 or 2, report_reader.h) and prints to `out`, in
// this order: regressions (passed in A, failed/crashed/timed out in B), fixes
// (the reverse), tests that appeared, tests that disappeared, other changes of
// result, then one count line. Devices are matched by driver and device name
// (the n-th of several alike with the n-th), tests by name without the device
// part. Returns kCompareRegression when there is a regression,
// kCompareUnreadable (the reason on `err`) when a report cannot be read,
// kCompareNoRegression otherwise.
int RunCompare(const std::string& a, const std::string& b, std::ostream& out, std::ostream& err);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_COMPARE_H_
