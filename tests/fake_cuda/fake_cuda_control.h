/* The control API of the fake libcuda.so.1 (a test double; never installed).
 *
 * The fake exports these functions next to cuGetProcAddress_v2 and nothing
 * else. A test reaches them by dlopen("libcuda.so.1") (the same path the
 * driver opens, so the same handle and the same state) and dlsym, or through
 * hal_fake_cuda_control_load() below.
 *
 * Configuration is also read from the environment variable
 * HAL_FAKE_CUDA_CONFIG at cuInit, so child processes (hal-cts) are configured
 * without code. Syntax (per-device comma-separated lists, ';' between keys):
 *   "devices=2;sm=90,80;sms=132,108;memory_mib=512,256;vmm=1,1;green=1,0;init_error=0"
 * Defaults: 1 device, sm_90, 132 SMs, 1024 MiB, vmm=1, green=1, init_error=0.
 */
#ifndef HAL_TESTS_FAKE_CUDA_FAKE_CUDA_CONTROL_H_
#define HAL_TESTS_FAKE_CUDA_FAKE_CUDA_CONTROL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same syntax as HAL_FAKE_CUDA_CONFIG; resets all state (devices, contexts,
 * allocations, injected failures, counters). */
void hal_fake_cuda_configure(const char* config);
/* The next `count` calls of `function` (plain name, e.g. "cuMemAlloc")
 * answer `cu_result` without doing anything. */
void hal_fake_cuda_fail_next(const char* function, int cu_result, int count);
/* The next launch on a context of `device` fails asynchronously with
 * CUDA_ERROR_ILLEGAL_ADDRESS (700); the context then answers 700 to every
 * call (sticky); other contexts carry on. */
void hal_fake_cuda_inject_fault(int device);
/* Device memory held on `device`: allocations (rounded as the real driver
 * rounds) plus physical VMM allocations. */
uint64_t hal_fake_cuda_bytes_in_use(int device);
/* How many times `function` (plain name) was called since the last configure. */
uint64_t hal_fake_cuda_call_count(const char* function);
/* Why the last launch or symbol resolution was refused; "" if none. The
 * string stays valid until the next call into the fake. */
const char* hal_fake_cuda_last_violation(void);
/* SMs of the green context the stream was created on; 0 for a stream that is
 * not on a green context (or an unknown stream). */
uint32_t hal_fake_cuda_stream_sm_count(uintptr_t stream);

#ifdef __cplusplus
}  // extern "C"

#include <dlfcn.h>

#include <string>
#include <type_traits>

/* For tests: the fake's control functions, resolved from the libcuda.so.1
 * the dynamic loader finds (put the fake's folder first in LD_LIBRARY_PATH).
 * The handle stays open for the life of the process. */
struct HalFakeCudaControl {
  void* library = nullptr;
  decltype(&hal_fake_cuda_configure) configure = nullptr;
  decltype(&hal_fake_cuda_fail_next) fail_next = nullptr;
  decltype(&hal_fake_cuda_inject_fault) inject_fault = nullptr;
  decltype(&hal_fake_cuda_bytes_in_use) bytes_in_use = nullptr;
  decltype(&hal_fake_cuda_call_count) call_count = nullptr;
  decltype(&hal_fake_cuda_last_violation) last_violation = nullptr;
  decltype(&hal_fake_cuda_stream_sm_count) stream_sm_count = nullptr;
};

/* Fills `out`; on failure returns false and sets `error` (dlerror text, or
 * which function is missing: then the library is not the fake). */
inline bool hal_fake_cuda_control_load(HalFakeCudaControl* out, std::string* error) {
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    *error = std::string("dlopen(libcuda.so.1): ") + (why ? why : "unknown error");
    return false;
  }
  HalFakeCudaControl control;
  control.library = library;
  bool complete = true;
  auto resolve = [&](auto& slot, const char* name) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(library, name));
    if (slot == nullptr && complete) {
      complete = false;
      *error = std::string("libcuda.so.1 is not the fake: it exports no ") + name;
    }
  };
  resolve(control.configure, "hal_fake_cuda_configure");
  resolve(control.fail_next, "hal_fake_cuda_fail_next");
  resolve(control.inject_fault, "hal_fake_cuda_inject_fault");
  resolve(control.bytes_in_use, "hal_fake_cuda_bytes_in_use");
  resolve(control.call_count, "hal_fake_cuda_call_count");
  resolve(control.last_violation, "hal_fake_cuda_last_violation");
  resolve(control.stream_sm_count, "hal_fake_cuda_stream_sm_count");
  if (!complete) {
    dlclose(library);
    return false;
  }
  *out = control;
  return true;
}
#endif  // __cplusplus

#endif  // HAL_TESTS_FAKE_CUDA_FAKE_CUDA_CONTROL_H_
