// The control API of the fake Level Zero driver, for tests: a test dlopens the
// same library file the loader was pointed at (ZE_ENABLE_ALT_DRIVERS), which
// gives it the same instance, and resolves these. Devices are configured
// before the first zeInit through HAL_FAKE_ZE_CONFIG (fake_ze_state.cc lists
// the keys); kernels' CPU twins are found in the bundles HAL_FAKE_ZE_BUNDLES
// names (colon-separated .halb paths).
#ifndef HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_CONTROL_H_
#define HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_CONTROL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The next `count` calls of `function` ("zeMemAllocDevice") answer `result`
// (a ze_result_t).
typedef void (*hal_fake_ze_fail_next_fn)(const char* function, int result, int count);
// How often `function` was called.
typedef uint64_t (*hal_fake_ze_call_count_fn)(const char* function);
// Why the fake last refused a call ("" if never), valid until the next refusal.
typedef const char* (*hal_fake_ze_last_violation_fn)(void);

#ifdef __cplusplus
}
#endif

#endif  // HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_CONTROL_H_
