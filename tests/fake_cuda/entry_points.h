// The fake's entry points as cuGetProcAddress_v2 resolves them: a plain name
// ("cuMemAlloc"), the CUDA version that introduced this variant, and the
// function. A name with several variants resolves to the newest one not newer
// than the version asked for; the variants older than the driver's pinned
// versions are legacy stubs that refuse to run (LegacyEntry).
#ifndef HAL_TESTS_FAKE_CUDA_ENTRY_POINTS_H_
#define HAL_TESTS_FAKE_CUDA_ENTRY_POINTS_H_

#include <cuda.h>

#include <string>
#include <vector>

namespace hal::fake::cuda {

struct EntryPoint {
  const char* name;
  int since;  // CUDA version, e.g. 3020
  void* function;
};

std::vector<EntryPoint> DeviceEntryPoints();
std::vector<EntryPoint> MemoryEntryPoints();
std::vector<EntryPoint> VirtualMemoryEntryPoints();
std::vector<EntryPoint> StreamEntryPoints();
std::vector<EntryPoint> ModuleEntryPoints();
std::vector<EntryPoint> GreenContextEntryPoints();

// Records that the legacy ABI of the entry point whose current variant is
// `current` was called; the legacy call's answer.
CUresult RefuseLegacy(void* current);

// A variant of `Function`'s name from before its current ABI (the plain
// symbol cuda.h maps to _v2): same parameters, but it only refuses. The fake
// cannot serve the old ABI, and a driver that asks for it has a bug.
template <typename T>
void* AsEntry(T* function) {
  return reinterpret_cast<void*>(function);
}

template <auto Function>
struct Legacy;
template <typename... Args, CUresult(CUDAAPI* Function)(Args...)>
struct Legacy<Function> {
  static CUresult CUDAAPI Call(Args...) { return RefuseLegacy(AsEntry(Function)); }
};

// The legacy variant of `Function`, introduced (as the real one was) in
// CUDA 2.0.
template <auto Function>
EntryPoint LegacyEntry(const char* name) {
  return {name, 2000, AsEntry(&Legacy<Function>::Call)};
}

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_ENTRY_POINTS_H_
