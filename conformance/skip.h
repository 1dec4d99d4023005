// The CTS's two kinds of skip, which the report counts apart:
//
//   HAL_CTS_SKIP_UNSUPPORTED("device has no partitions");
//     the device lacks an optional capability the test needs;
//   HAL_CTS_KNOWN_FAILURE("vulkan", "llvmpipe.*", "fill of odd sizes, bug 123");
//     at the top of a test body: on a device whose driver name and device
//     name match the two regular expressions (whole-string matches), the test
//     is a known failure and is skipped with "known failure: <reason>". With
//     --verify-known-failures it runs instead: a body that still fails counts
//     as a known failure, not a failure, and a body that now passes fails the
//     test so the stale mark gets removed.
//
// Both skip from the current function, so use them in a test body (or SetUp).
#ifndef HAL_CONFORMANCE_SKIP_H_
#define HAL_CONFORMANCE_SKIP_H_

#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace hal::cts {

// Test properties (in the JUnit XML too) through which the report listener
// tells the kinds of skip apart.
inline constexpr char kSkipKindProperty[] = "hal_cts_skip_kind";
inline constexpr char kSkipKindUnsupported[] = "unsupported";
inline constexpr char kSkipKindKnownFailure[] = "known_failure";
// Set, to the mark's reason, when a known failure ran in verify mode and its
// body failed as expected.
inline constexpr char kKnownFailureStillFailsProperty[] = "hal_cts_known_failure_still_fails";

// Records the kind of the skip about to happen.
void RecordSkipKind(absl::string_view kind);

struct KnownFailureMark {
  std::string driver_regex;       // matched against the driver's name ("cpu")
  std::string device_name_regex;  // matched against the device's properties().name
  std::string reason;
  // Where the mark is, for the failure verify mode reports: a
  // HAL_CTS_KNOWN_FAILURE in the source (file and line), or, when
  // `removal_hint` is set, an entry of an expected-failures file, which the
  // hint names ("remove entry 2 (\"Copy.X\") from gaps.json").
  const char* file;
  int line;
  std::string removal_hint = "";
};

// Whether `mark` names this driver and device (each regex matches the whole
// name).
bool KnownFailureApplies(const KnownFailureMark& mark, absl::string_view driver_name,
                         absl::string_view device_name);

// Whether --verify-known-failures was given.
bool VerifyingKnownFailures();

// Lives for a marked test body; see the file comment.
class KnownFailureScope {
 public:
  KnownFailureScope(KnownFailureMark mark, absl::string_view driver_name,
                    absl::string_view device_name, bool verify_mode);
  // In verify mode, concludes on the body (see Conclude).
  ~KnownFailureScope();
  KnownFailureScope(const KnownFailureScope&) = delete;
  KnownFailureScope& operator=(const KnownFailureScope&) = delete;

  // True when the mark applies and the body must not run.
  bool skipped() const { return action_ == Action::kSkip; }
  std::string skip_message() const { return "known failure: " + mark_.reason; }

  // The verdict of verify mode on a body: one that failed still fails as
  // marked (recorded for the report); one that passed fails the test.
  static void Conclude(bool body_failed, const KnownFailureMark& mark);

 private:
  enum class Action { kRun, kSkip, kVerify };
  const KnownFailureMark mark_;
  Action action_ = Action::kRun;
};

}  // namespace hal::cts

#define HAL_CTS_SKIP_UNSUPPORTED(reason)                          \
  do {                                                            \
    ::hal::cts::RecordSkipKind(::hal::cts::kSkipKindUnsupported); \
    GTEST_SKIP() << "unsupported: " << (reason);                  \
  } while (false)

// In a test of a DeviceTest or DeviceCaseTest fixture (it reads physical_device()).
#define HAL_CTS_KNOWN_FAILURE(driver_regex, device_name_regex, reason)                           \
  const ::hal::cts::KnownFailureScope hal_cts_known_failure_(                                    \
      ::hal::cts::KnownFailureMark{driver_regex, device_name_regex, reason, __FILE__, __LINE__}, \
      physical_device().driver_name(), physical_device().properties().name,                      \
      ::hal::cts::VerifyingKnownFailures());                                                     \
  if (hal_cts_known_failure_.skipped()) GTEST_SKIP() << hal_cts_known_failure_.skip_message()

#endif  // HAL_CONFORMANCE_SKIP_H_
