#include "conformance/skip.h"

#include <regex>
#include <utility>

#include "conformance/cts_environment.h"

namespace hal::cts {

void RecordSkipKind(absl::string_view kind) {
  ::testing::Test::RecordProperty(kSkipKindProperty, std::string(kind));
}

bool KnownFailureApplies(const KnownFailureMark& mark, absl::string_view driver_name,
                         absl::string_view device_name) {
  return std::regex_match(driver_name.begin(), driver_name.end(), std::regex(mark.driver_regex)) &&
         std::regex_match(device_name.begin(), device_name.end(),
                          std::regex(mark.device_name_regex));
}

bool VerifyingKnownFailures() { return CtsEnvironment::Get().options().verify_known_failures; }

KnownFailureScope::KnownFailureScope(KnownFailureMark mark, absl::string_view driver_name,
                                     absl::string_view device_name, bool verify_mode)
    : mark_(std::move(mark)) {
  if (!KnownFailureApplies(mark_, driver_name, device_name)) return;
  action_ = verify_mode ? Action::kVerify : Action::kSkip;
  if (action_ == Action::kSkip) RecordSkipKind(kSkipKindKnownFailure);
}

KnownFailureScope::~KnownFailureScope() {
  if (action_ == Action::kVerify) Conclude(::testing::Test::HasFailure(), mark_);
}

void KnownFailureScope::Conclude(bool body_failed, const KnownFailureMark& mark) {
  if (body_failed) {
    ::testing::Test::RecordProperty(kKnownFailureStillFailsProperty, mark.reason);
    return;
  }
  if (!mark.removal_hint.empty()) {
    ADD_FAILURE() << "known failure now passes: \"" << mark.reason << "\"; " << mark.removal_hint;
    return;
  }
  ADD_FAILURE_AT(mark.file, mark.line)
      << "known failure now passes: \"" << mark.reason << "\"; remove its HAL_CTS_KNOWN_FAILURE(\""
      << mark.driver_regex << "\", \"" << mark.device_name_regex << "\", ...) mark";
}

}  // namespace hal::cts
