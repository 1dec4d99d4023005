// The control API (fake_cuda_control.h): exported next to
// cuGetProcAddress_v2 for tests.
#include "tests/fake_cuda/fake_cuda_control.h"

#include "tests/fake_cuda/fake_cuda_state.h"

#define FAKE_CUDA_EXPORT extern "C"

using hal::fake::cuda::Fake;

FAKE_CUDA_EXPORT void hal_fake_cuda_configure(const char* config) {
  Fake().Configure(config ? config : "");
}

FAKE_CUDA_EXPORT void hal_fake_cuda_fail_next(const char* function, int cu_result, int count) {
  if (function != nullptr) Fake().ledger.FailNext(function, cu_result, count);
}

FAKE_CUDA_EXPORT void hal_fake_cuda_inject_fault(int device) {
  if (hal::fake::cuda::Device* found = hal::fake::cuda::DeviceAt(device)) {
    found->fault_pending = true;
  }
}

FAKE_CUDA_EXPORT uint64_t hal_fake_cuda_bytes_in_use(int device) {
  const hal::fake::cuda::Device* found = hal::fake::cuda::DeviceAt(device);
  return found ? found->memory->bytes_in_use() : 0;
}

FAKE_CUDA_EXPORT uint64_t hal_fake_cuda_call_count(const char* function) {
  return function ? Fake().ledger.CallCount(function) : 0;
}

FAKE_CUDA_EXPORT const char* hal_fake_cuda_last_violation(void) {
  return Fake().ledger.last_violation();
}

FAKE_CUDA_EXPORT uint32_t hal_fake_cuda_stream_sm_count(uintptr_t stream) {
  hal::fake::cuda::State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.streams.find(reinterpret_cast<CUstream_st*>(stream));
  return it == state.streams.end() ? 0 : it->second->context->sm_count;
}
