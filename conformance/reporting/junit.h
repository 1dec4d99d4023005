// JUnit XML of a hal-cts run, written by hal-cts itself from the records of
// every child process (GoogleTest's own writer sees only one child's tests).
#ifndef HAL_CONFORMANCE_REPORTING_JUNIT_H_
#define HAL_CONFORMANCE_REPORTING_JUNIT_H_

#include <string>

#include "absl/status/status.h"
#include "conformance/report.h"

namespace hal::cts {

// One <testsuite> per GoogleTest suite (the name before the first '.'), in the
// order the suites first appear; <failure type="failed|crashed|timed_out">
// with the message for a test that did not pass, <skipped> with the reason and
// the hal_cts_skip_kind property for a skip. Text is escaped for XML and is
// valid UTF-8: invalid bytes become U+FFFD, control characters "\xNN".
std::string JUnitXml(const Report& report);
// Writes JUnitXml to `path`; Unavailable (naming the path) if it cannot.
absl::Status WriteJUnit(const std::string& path, const Report& report);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_JUNIT_H_
