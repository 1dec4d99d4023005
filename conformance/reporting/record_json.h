// The records a hal-cts child process sends its parent, one JSON object per
// line: a finished test (`end <line>` on the runner's pipe) and, in list mode,
// the devices found. The parent treats the child as hostile (it may be dying,
// or its driver may scribble over memory): parsing is strict and bounded, and a
// line that is not exactly what TestRecordToJsonLine writes is refused.
#ifndef HAL_CONFORMANCE_REPORTING_RECORD_JSON_H_
#define HAL_CONFORMANCE_REPORTING_RECORD_JSON_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "conformance/report.h"

namespace hal::cts {

// The longest line either parser accepts. The writers keep their lines below
// it by shortening long messages (kMaxRecordMessageBytes), so what a child
// writes its parent can always read.
inline constexpr size_t kMaxRecordLineBytes = 256 * 1024;
inline constexpr size_t kMaxRecordMessageBytes = 64 * 1024;
// More devices than any machine has; bounds what a hostile list can make the
// parent allocate.
inline constexpr size_t kMaxDeviceRecords = 1024;

// One line of JSON, no newline in it (strings are escaped; invalid UTF-8 is
// replaced by U+FFFD): {"name", "device", "group", "outcome", "skip_kind",
// "message", "seconds"}. A message longer than kMaxRecordMessageBytes is cut
// and ends with "... (message truncated)".
std::string TestRecordToJsonLine(const TestRecord& record);
// The inverse. InvalidArgument naming the problem for a line longer than
// kMaxRecordLineBytes, invalid JSON (incl. invalid UTF-8), an unknown, missing
// or mistyped key, an unknown outcome or skip kind, a skip kind on a test that
// was not skipped (or none on one that was), an empty name, seconds that are
// negative or not finite, or a second line. One trailing '\n' is allowed.
absl::StatusOr<TestRecord> TestRecordFromJsonLine(absl::string_view line);

// The devices of list mode as one line: a JSON array of
// {"id", "driver", "driver_version", "abi_version", "name", "vendor", "uuid"}.
std::string DeviceRecordsToJsonLine(const std::vector<DeviceRecord>& devices);
// The inverse, as strict as TestRecordFromJsonLine; also refuses more than
// kMaxDeviceRecords devices and a device with an empty id or driver.
absl::StatusOr<std::vector<DeviceRecord>> DeviceRecordsFromJsonLine(absl::string_view line);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_RECORD_JSON_H_
