// Known gaps of a driver kept in a file beside the suite rather than in its
// source, so a vendor tracks them without patching the tests:
//
//   hal-cts --expected-failures gaps.json
//   {"expected_failures": [
//     {"test": "Fill.Large*", "driver": "vulkan", "device": "llvmpipe.*",
//      "reason": "fills over 4 GiB wrap, mesa#1234"}]}
//
// "test" is Suite.Name without the device suffix, where '*' matches any run
// of characters; "driver" and "device" are regular expressions matched
// against the whole driver name and device name (".*" when left out). A
// matching test is a known failure exactly as with HAL_CTS_KNOWN_FAILURE
// (conformance/skip.h), verify mode included.
#ifndef HAL_CONFORMANCE_EXPECTED_FAILURES_H_
#define HAL_CONFORMANCE_EXPECTED_FAILURES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "conformance/skip.h"

namespace hal::cts {

struct ExpectedFailure {
  std::string test_pattern;
  KnownFailureMark mark;
};

// InvalidArgument naming the file and the entry for malformed content or a
// bad regular expression; NotFound when the file cannot be read.
absl::StatusOr<std::vector<ExpectedFailure>> ReadExpectedFailures(const std::string& path);

// Whether `test_name` ("Copy.ZeroSizeIsANoOp") matches `pattern`, where '*'
// matches any run of characters, including none.
bool TestNameMatches(absl::string_view pattern, absl::string_view test_name);

// The first entry naming this test on this driver and device; null if none.
const ExpectedFailure* FindExpectedFailure(const std::vector<ExpectedFailure>& entries,
                                           absl::string_view test_name,
                                           absl::string_view driver_name,
                                           absl::string_view device_name);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_EXPECTED_FAILURES_H_
