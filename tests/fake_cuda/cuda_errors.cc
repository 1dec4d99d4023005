#include "tests/fake_cuda/cuda_errors.h"

namespace hal::fake::cuda {
namespace {

struct ErrorEntry {
  CUresult value;
  const char* name;
  const char* description;
};

constexpr ErrorEntry kErrors[] = {
#define X(name, description) {name, #name, description},
#include "tests/fake_cuda/cuda_error_table.inc"
#undef X
};

const ErrorEntry* Find(CUresult error) {
  for (const ErrorEntry& entry : kErrors) {
    if (entry.value == error) return &entry;
  }
  return nullptr;
}

}  // namespace

const char* ErrorName(CUresult error) {
  const ErrorEntry* entry = Find(error);
  return entry ? entry->name : nullptr;
}

const char* ErrorDescription(CUresult error) {
  const ErrorEntry* entry = Find(error);
  return entry ? entry->description : nullptr;
}

}  // namespace hal::fake::cuda
