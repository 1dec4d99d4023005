// SHA-256 (FIPS 180-4), so that a report names the exact expected-failures
// file a run used without the suite depending on a crypto library.
#ifndef HAL_CONFORMANCE_REPORTING_SHA256_H_
#define HAL_CONFORMANCE_REPORTING_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace hal::cts {

// The digest of `data` as 64 lower-case hex digits.
std::string Sha256Hex(absl::string_view data);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_SHA256_H_
