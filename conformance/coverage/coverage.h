// Which driver ABI outcomes the suite's tests exercise. Each test file says,
// next to its tests, what they cover:
//
//   HAL_CTS_COVERS("Copy.HostToDeviceToHost", {"stream_copy_host_to_device", "success"},
//                                            {"stream_copy_device_to_host", "success"});
//
// The pattern is GoogleTest filter syntax without the device suffix
// ("Copy.HostToDeviceToHost", "CopyAlignment.*"). `entry_point` is a member
// of hal_driver_table ("stream_fill") or "hal_context_memory_accounting";
// `outcome` one of kOutcomeNames. coverage_spec.h says which outcomes each
// entry's contract names; CtsSelfTest.Coverage* checks both against each
// other and against the tests of the binary.
#ifndef HAL_CONFORMANCE_COVERAGE_COVERAGE_H_
#define HAL_CONFORMANCE_COVERAGE_COVERAGE_H_

#include <array>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "conformance/report.h"
#include "hal/status_macros.h"
#include "nlohmann/json.hpp"

namespace hal::cts {

struct CoveredOutcome {
  const char* entry_point;
  const char* outcome;
};

// The outcomes a registration or the spec may name. "capability-absent": the
// device lacks the capability, the runtime never calls the entry and the
// public API answers Unimplemented.
inline constexpr std::array<const char*, 9> kOutcomeNames = {
    "success",     "not-ready",           "invalid-argument", "out-of-memory",    "not-found",
    "unavailable", "failed-precondition", "unsupported",      "capability-absent"};

struct CoverageRegistration {
  std::string test_pattern;
  std::vector<CoveredOutcome> outcomes;
  const char* file;
  int line;
};

// Records that tests matching `test_pattern` exercise `outcomes`. Returns true
// (for the static registrar of HAL_CTS_COVERS). Called during static
// initialization only.
bool RegisterCoverage(const char* test_pattern, std::initializer_list<CoveredOutcome> outcomes,
                      const char* file, int line);

// Every registration of the binary, in registration order.
const std::vector<CoverageRegistration>& CoverageRegistrations();

// Whether a test ("Copy.HostToDeviceToHost/cpu_0", or a case test's
// "Suite.Test/cpu_0_case") is one `test_pattern` names: the pattern is
// matched against the name without its device (and case) suffix.
bool CoverageMatches(absl::string_view test_pattern, absl::string_view test_name);

// The patterns registered for `entry_point` and `outcome`, sorted, unique.
std::vector<std::string> CoveringPatterns(absl::string_view entry_point, absl::string_view outcome);

// The coverage table for the JSON report: per entry point (spec order) and
// outcome, the registered test patterns, the reason when the outcome is not
// reproducible, and per device ("cpu:0") the outcomes of the matching tests of
// `tests` (passed/failed/skipped/crashed/timed_out counts).
nlohmann::ordered_json CoverageJson(const std::vector<TestRecord>& tests);

// The table as Markdown (hal-cts --coverage; docs/cts.md holds it verbatim).
// Depends on the spec and the registrations only, never on devices.
std::string CoverageMarkdown();

}  // namespace hal::cts

// At namespace scope, next to the tests it describes.
#define HAL_CTS_COVERS(test_pattern, ...)                                               \
  [[maybe_unused]] static const bool HAL_STATUS_CONCAT_(hal_cts_covers_, __COUNTER__) = \
      ::hal::cts::RegisterCoverage(test_pattern, {__VA_ARGS__}, __FILE__, __LINE__)

#endif  // HAL_CONFORMANCE_COVERAGE_COVERAGE_H_
