// Kernel parameter layouts read from a cubin's own metadata: the
// .nv.info.<kernel> section of each kernel, whose EIATTR_KPARAM_INFO records
// give each parameter's ordinal, offset and size and whose
// EIATTR_PARAM_CBANK record gives the size of the whole parameter block.
// The cubin is hostile input: every read is bounds-checked, and anything
// malformed is InvalidArgument naming what was wrong.
#ifndef HAL_TESTS_FAKE_CUDA_CUBIN_PARAMS_H_
#define HAL_TESTS_FAKE_CUDA_CUBIN_PARAMS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tests/fake_vendor/launch_check.h"

namespace hal::fake::cuda {

// The SM version the cubin was built for (90 for sm_90), from its ELF flags.
absl::StatusOr<int> CubinSmVersion(absl::Span<const uint8_t> cubin);

// Layout of every kernel of the cubin, by kernel name.
absl::StatusOr<std::map<std::string, KernelParamLayout>> ReadCubinParams(
    absl::Span<const uint8_t> cubin);

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_CUBIN_PARAMS_H_
