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

#include "hal/status_macros.h"

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

}  // namespace hal::cts

// At namespace scope, next to the tests it describes.
#define HAL_CTS_COVERS(test_pattern, ...)                                      \
  [[maybe_unused]] static const bool HAL_STATUS_CONCAT_(hal_cts_covers_, __LINE__) = \
      ::hal::cts::RegisterCoverage(test_pattern, {__VA_ARGS__}, __FILE__, __LINE__)

#endif  // HAL_CONFORMANCE_COVERAGE_COVERAGE_H_
