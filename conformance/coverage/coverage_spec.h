// What the driver ABI's contract says each entry point can answer, written
// from the comments of include/hal/driver/hal_driver.h: the outcomes the
// suite must show a test for. CtsSelfTest.Coverage* holds the registrations
// of HAL_CTS_COVERS and the header the suite was built against to it.
#ifndef HAL_CONFORMANCE_COVERAGE_COVERAGE_SPEC_H_
#define HAL_CONFORMANCE_COVERAGE_COVERAGE_SPEC_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hal::cts {

struct SpecOutcome {
  const char* outcome;  // one of kOutcomeNames
  // Set when a working device cannot be made to produce the outcome: why,
  // and where else it is tested. Such an outcome needs no registered test.
  const char* not_reproducible = nullptr;
};

struct EntrySpec {
  // A member of hal_driver_table, or "hal_context_memory_accounting".
  const char* entry_point;
  std::vector<SpecOutcome> outcomes;
};

// In the order of the header's table, the accounting struct last.
const std::vector<EntrySpec>& CoverageSpec();
const EntrySpec* FindEntrySpec(absl::string_view entry_point);

// The members of hal_driver_table that are not function pointers (type,
// struct_size, abi_major, abi_minor, name, version) and how the suite and the
// unit tests cover them.
extern const char kTableFieldsCoverage[];

// The function-pointer members of `struct hal_driver_table` in a copy of
// hal_driver.h, in order; empty when the text holds no such struct. Comments
// are skipped, so a commented-out member does not count.
std::vector<std::string> DriverTableEntryPoints(absl::string_view header_text);

// hal_driver.h as the suite was built against it (embedded at build time).
absl::string_view BuiltDriverHeader();

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_COVERAGE_COVERAGE_SPEC_H_
