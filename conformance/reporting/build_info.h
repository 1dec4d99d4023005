// What a report says about the hal-cts that wrote it: the project's version
// and the git commit it was configured from (conformance/reporting/sources.cmake).
#ifndef HAL_CONFORMANCE_REPORTING_BUILD_INFO_H_
#define HAL_CONFORMANCE_REPORTING_BUILD_INFO_H_

namespace hal::cts {

// "0.1.0": the hal project's version.
const char* SuiteVersion();
// The full git commit hash of the source tree at configure time, "-dirty"
// appended when it had changes; "unknown" when not built from a git checkout.
const char* SuiteBuildHash();

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_BUILD_INFO_H_
