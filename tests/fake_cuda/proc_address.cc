// cuGetProcAddress_v2, the only CUDA symbol the fake exports: every other
// entry point is reached through it, at the version the caller pins.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

const std::vector<EntryPoint>& AllEntryPoints() {
  static const auto* all = [] {
    auto* entries = new std::vector<EntryPoint>();
    for (auto list : {DeviceEntryPoints, MemoryEntryPoints, VirtualMemoryEntryPoints,
                      StreamEntryPoints, ModuleEntryPoints, GreenContextEntryPoints}) {
      for (const EntryPoint& entry : list()) entries->push_back(entry);
    }
    return entries;
  }();
  return *all;
}

}  // namespace

CUresult RefuseLegacy(void* current) {
  const char* name = "an entry point";
  for (const EntryPoint& entry : AllEntryPoints()) {
    if (entry.function == current) name = entry.name;
  }
  Fake().ledger.RecordViolation(
      absl::StrCat("legacy ABI requested: ", name,
                   " was resolved at a cudaVersion older than its current variant (pin the "
                   "version cuda.h's _v2 mapping stands for)"));
  return CUDA_ERROR_NOT_SUPPORTED;
}

}  // namespace hal::fake::cuda

extern "C" CUresult CUDAAPI cuGetProcAddress_v2(
    const char* symbol, void** function, int version, cuuint64_t flags,
    CUdriverProcAddressQueryResult* status) {
  using hal::fake::cuda::EntryPoint;
  if (symbol == nullptr || function == nullptr) return CUDA_ERROR_INVALID_VALUE;
  (void)flags;
  *function = nullptr;
  const EntryPoint* best = nullptr;
  bool known = false;
  for (const EntryPoint& entry : hal::fake::cuda::AllEntryPoints()) {
    if (std::strcmp(entry.name, symbol) != 0) continue;
    known = true;
    if (entry.since <= version && (best == nullptr || entry.since > best->since)) best = &entry;
  }
  if (best == nullptr) {
    if (status != nullptr) {
      *status = known ? CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT
                      : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    }
    return CUDA_ERROR_NOT_FOUND;
  }
  *function = best->function;
  if (status != nullptr) *status = CU_GET_PROC_ADDRESS_SUCCESS;
  return CUDA_SUCCESS;
}
