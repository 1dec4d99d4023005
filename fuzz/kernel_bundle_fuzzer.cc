// libFuzzer target for the kernel bundle parser: any input must either parse
// into a bundle that serializes and parses back identically, or be rejected
// with InvalidArgument. Build with -DHAL_BUILD_FUZZERS=ON and clang.
#include <cstdint>
#include <cstdlib>

#include "hal/kernel_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bundle = hal::KernelBundle::Parse(absl::Span<const uint8_t>(data, size));
  if (!bundle.ok()) {
    if (bundle.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  const std::vector<uint8_t> bytes = bundle->Serialize();
  auto again = hal::KernelBundle::Parse(bytes);
  if (!again.ok() || again->Serialize() != bytes) std::abort();
  return 0;
}
