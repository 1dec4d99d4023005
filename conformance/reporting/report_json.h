// The JSON report of hal-cts, schema 2 (docs/cts.md, "The report").
#ifndef HAL_CONFORMANCE_REPORTING_REPORT_JSON_H_
#define HAL_CONFORMANCE_REPORTING_REPORT_JSON_H_

#include <string>

#include "conformance/report.h"

namespace hal::cts {

inline constexpr int kReportSchemaVersion = 2;

// The report as indented JSON text ending in a newline. Invalid UTF-8 in any
// string (a failure message quoting raw bytes) is replaced by U+FFFD.
std::string ReportJson(const Report& report);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_REPORT_JSON_H_
