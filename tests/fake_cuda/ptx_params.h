// Kernel parameter layouts read from PTX text: each `.entry name(...)` line's
// `.param` declarations (`.param .u64 p0`, `.param .align 4 .b8 p1[12]`),
// laid out at their natural (or declared) alignment, as ptxas lays out the
// parameter block. The text is hostile input: malformed or truncated PTX is
// InvalidArgument naming the line.
#ifndef HAL_TESTS_FAKE_CUDA_PTX_PARAMS_H_
#define HAL_TESTS_FAKE_CUDA_PTX_PARAMS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/fake_vendor/launch_check.h"

namespace hal::fake::cuda {

// Layout of every .entry of the module, by kernel name.
absl::StatusOr<std::map<std::string, KernelParamLayout>> ReadPtxParams(absl::string_view ptx);

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_PTX_PARAMS_H_
