// The short human summary hal-cts prints at the end of a run.
#ifndef HAL_CONFORMANCE_REPORTING_SUMMARY_H_
#define HAL_CONFORMANCE_REPORTING_SUMMARY_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "conformance/report.h"

namespace hal::cts {

// One line per device (counts and pass rate), then every test that crashed or
// timed out, then every failure, each with the start of its message,
// then SummaryLine and what the skips mean for the verdict:
//
//   hal-cts 0.1.0 (build 3c142e2...)
//   cpu:0 (cpu, host CPU): 430 passed, 0 failed, 0 crashed, 0 timed out, 2 skipped; pass rate
//   100.0% broken:0 (broken, host CPU): ... crashed    Event.Timestamp/broken_0: crashed: the child
//   process was killed by SIGSEGV timed out  Event.Synchronize/broken_0: timed out: still running
//   at the deadline of 5 s ... failed     Copy.Buffer/broken_0: conformance/copy_test.cc:40: byte 7
//   is 0x01, expected 0x00 hal-cts: 860 passed, 1 failed, 1 crashed, 1 timed out, ...: not
//   conformant Skips count as conformant: 2 unsupported (feature absent), 0 known failures.
void PrintSummary(const Report& report, std::ostream& out);

// `text` on one line for a listing: every run of whitespace (newlines
// included) one space, cut after `max_bytes` (at a UTF-8 character boundary)
// with "..." appended. GoogleTest's messages put the values on the lines after
// "Expected equality of these values:".
std::string OneLineExcerpt(absl::string_view text, size_t max_bytes);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_SUMMARY_H_
