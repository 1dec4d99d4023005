// The parameters of the OpenCL kernels in a SPIR-V module, read with
// SPIRV-Tools' binary parser: each Kernel entry point's parameters in order
// with their sizes (a pointer is 8 bytes in a Physical64 module, a by-value
// struct, passed as a Function pointer decorated ByVal, is its C size), and
// the reqd_work_group_size it declares (LocalSize). The fake Level Zero driver
// checks the arguments a launch set against these. Hostile input: a module
// the parser refuses, or a type this reader cannot size, is an error.
#ifndef HAL_TESTS_FAKE_LEVEL_ZERO_SPIRV_KERNEL_PARAMS_H_
#define HAL_TESTS_FAKE_LEVEL_ZERO_SPIRV_KERNEL_PARAMS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tests/fake_vendor/launch_check.h"

namespace hal::fake::level_zero {

enum class ParamKind { kGlobalPointer, kOtherPointer, kByValue };

struct SpirvKernel {
  KernelParamLayout layout;             // offsets packed in order, as kernelParams see them
  std::vector<ParamKind> kinds;         // one per parameter
  std::array<uint32_t, 3> required_group_size{0, 0, 0};  // 0s: none declared
};

// Kernel entry points by name. InvalidArgument naming what is wrong.
absl::StatusOr<std::map<std::string, SpirvKernel>> ReadSpirvKernels(
    absl::Span<const uint8_t> module);

}  // namespace hal::fake::level_zero

#endif  // HAL_TESTS_FAKE_LEVEL_ZERO_SPIRV_KERNEL_PARAMS_H_
