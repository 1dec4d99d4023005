// What a test controls and observes of a fake vendor library's calls: how
// often each entry point ran, failures queued for the next calls of one, and
// the last refusal the fake explains (a violated launch contract, a legacy
// symbol asked for). Thread-safe.
#ifndef HAL_TESTS_FAKE_VENDOR_CALL_LEDGER_H_
#define HAL_TESTS_FAKE_VENDOR_CALL_LEDGER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace hal::fake {

class CallLedger {
 public:
  // Counts a call of `function`; returns the injected result if one is queued.
  std::optional<int> OnCall(absl::string_view function);
  // The next `count` calls of `function` answer `result`.
  void FailNext(absl::string_view function, int result, int count);
  // The `nth` call of `function` since the last Reset (counting from 1)
  // answers `result`: a failure a child process is configured with, at a
  // call it cannot time (the 3rd allocation of a test run).
  void FailCall(absl::string_view function, int result, uint64_t nth);
  uint64_t CallCount(absl::string_view function) const;

  void RecordViolation(std::string why);
  // A pointer that stays valid until the next RecordViolation or Reset.
  const char* last_violation() const;

  void Reset();

 private:
  struct InjectedFailure {
    int result = 0;
    int remaining = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t, std::less<>> counts_;
  std::map<std::string, InjectedFailure, std::less<>> failures_;
  std::map<std::pair<std::string, uint64_t>, int> nth_failures_;  // (function, nth) -> result
  std::string last_violation_;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_CALL_LEDGER_H_
