/* The control API of the fake libamdhip64 (a test double; never installed).
 *
 * The fake exports these functions next to the hip* functions the HIP
 * driver resolves (backends/hip/hip_entry_points.h). A test reaches them by
 * dlopen("libamdhip64.so") (the same library the driver opens, so the same
 * state) and dlsym.
 *
 * Configuration is also read from the environment at hipInit, so child
 * processes (hal-cts) are configured without code:
 *   HAL_FAKE_HIP_CONFIG="devices=2;cus=104,110;memory_mib=512,256;vmm=1,0;init_error=0"
 *   HAL_FAKE_HIP_ARCHS="gfx90a:sramecc+:xnack-,gfx1030"   (gcnArchName per device, or one for all)
 * Defaults: 1 device, gfx90a:sramecc+:xnack-, 104 CUs, 1024 MiB, vmm=1.
 * oom_at_malloc=N: the Nth hipMalloc (counted over every device) answers
 * hipErrorOutOfMemory, whatever memory is left.
 * HAL_FAKE_HIP_BUNDLES: colon-separated .halb files holding the images
 * loaded and their CPU twins (tests/fake_vendor/twin_bundles.h).
 */
#ifndef HAL_TESTS_FAKE_HIP_FAKE_HIP_CONTROL_H_
#define HAL_TESTS_FAKE_HIP_FAKE_HIP_CONTROL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same syntax as the environment variables; resets all state (devices,
 * streams, allocations, injected failures, counters). */
void hal_fake_hip_configure(const char* config, const char* archs);
/* The next `count` calls of `function` (e.g. "hipMalloc") answer
 * `hip_error` without doing anything. */
void hal_fake_hip_fail_next(const char* function, int hip_error, int count);
/* The next launch on `device` fails asynchronously with
 * hipErrorIllegalAddress (700); the device then answers 700 to every call
 * that uses it (sticky); other devices carry on. */
void hal_fake_hip_inject_fault(int device);
/* Device memory held on `device`: allocations (rounded as the runtime rounds)
 * plus physical virtual-memory allocations. */
uint64_t hal_fake_hip_bytes_in_use(int device);
/* How many times `function` was called since the last configure. */
uint64_t hal_fake_hip_call_count(const char* function);
/* Why the last launch or load was refused; "" if none. Valid until the
 * next call into the fake. */
const char* hal_fake_hip_last_violation(void);
/* The CU mask `stream` was created with: copies up to `capacity` words into
 * `mask` and returns the mask's length in words (0: not a CU-mask stream,
 * or no such stream). */
uint32_t hal_fake_hip_stream_cu_mask(uintptr_t stream, uint32_t* mask, uint32_t capacity);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // HAL_TESTS_FAKE_HIP_FAKE_HIP_CONTROL_H_
