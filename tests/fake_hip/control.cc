// The control API (fake_hip_control.h): exported next to the hip* functions
// for tests.
#include "tests/fake_hip/fake_hip_control.h"

#include <algorithm>

#include "tests/fake_hip/fake_hip_state.h"

using hal::fake::hip::Fake;

FAKE_HIP_EXPORT void hal_fake_hip_configure(const char* config, const char* archs) {
  Fake().Configure(config ? config : "", archs ? archs : "");
}

FAKE_HIP_EXPORT void hal_fake_hip_fail_next(const char* function, int hip_error, int count) {
  if (function != nullptr) Fake().ledger.FailNext(function, hip_error, count);
}

FAKE_HIP_EXPORT void hal_fake_hip_inject_fault(int device) {
  if (hal::fake::hip::Device* found = hal::fake::hip::DeviceAt(device)) {
    found->fault_pending = true;
  }
}

FAKE_HIP_EXPORT uint64_t hal_fake_hip_bytes_in_use(int device) {
  const hal::fake::hip::Device* found = hal::fake::hip::DeviceAt(device);
  return found ? found->memory->bytes_in_use() : 0;
}

FAKE_HIP_EXPORT uint64_t hal_fake_hip_call_count(const char* function) {
  return function ? Fake().ledger.CallCount(function) : 0;
}

FAKE_HIP_EXPORT const char* hal_fake_hip_last_violation(void) {
  return Fake().ledger.last_violation();
}

FAKE_HIP_EXPORT uint32_t hal_fake_hip_stream_cu_mask(uintptr_t stream, uint32_t* mask,
                                                     uint32_t capacity) {
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.streams.find(reinterpret_cast<ihipStream_t*>(stream));
  if (it == state.streams.end()) return 0;
  const std::vector<uint32_t>& words = it->second->cu_mask;
  if (mask != nullptr) std::copy_n(words.begin(), std::min<size_t>(capacity, words.size()), mask);
  return static_cast<uint32_t>(words.size());
}
