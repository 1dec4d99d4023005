// The control API (fake_ze_control.h) over the fake's call ledger.
#include "tests/fake_level_zero/fake_ze_control.h"

#include "tests/fake_level_zero/fake_ze_state.h"

using hal::fake::level_zero::Fake;

extern "C" ZE_DLLEXPORT void hal_fake_ze_fail_next(const char* function, int result, int count) {
  Fake().ledger.FailNext(function, result, count);
}

extern "C" ZE_DLLEXPORT uint64_t hal_fake_ze_call_count(const char* function) {
  return Fake().ledger.CallCount(function);
}

extern "C" ZE_DLLEXPORT const char* hal_fake_ze_last_violation() {
  return Fake().ledger.last_violation();
}
