#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

// A function-local static: registrars of other translation units run during
// static initialization, in an unspecified order.
std::vector<CoverageRegistration>& MutableRegistrations() {
  static auto* registrations = new std::vector<CoverageRegistration>();
  return *registrations;
}

}  // namespace

bool RegisterCoverage(const char* test_pattern, std::initializer_list<CoveredOutcome> outcomes,
                      const char* file, int line) {
  MutableRegistrations().push_back(
      CoverageRegistration{test_pattern, std::vector<CoveredOutcome>(outcomes), file, line});
  return true;
}

const std::vector<CoverageRegistration>& CoverageRegistrations() { return MutableRegistrations(); }

}  // namespace hal::cts
