// The check a fake vendor library makes before it runs a kernel's CPU twin:
// the arguments the driver packed must match the parameter layout the device
// image declares (read from its own metadata by the vendor-specific parser)
// and the kernel ABI the twin declares: N 8-byte buffer pointers, then one
// by-value push-constant block if the kernel has push constants, a block size
// equal to the workgroup size, and every pointer inside a live allocation.
// A mismatch is refused with the reason, never run.
#ifndef HAL_TESTS_FAKE_VENDOR_LAUNCH_CHECK_H_
#define HAL_TESTS_FAKE_VENDOR_LAUNCH_CHECK_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/gpu_core/kernel_param_layout.h"
#include "tests/fake_vendor/allocation_registry.h"
#include "tests/fake_vendor/cpu_twin.h"

namespace hal::fake {

// The layout types live with the image readers (backends/gpu_core), which
// fill them in.
using gpu::KernelParam;
using gpu::KernelParamLayout;

struct LaunchShape {
  std::array<uint32_t, 3> grid{1, 1, 1};
  std::array<uint32_t, 3> block{1, 1, 1};
};

// `params`: one pointer per parameter of `layout` (the vendor's kernelParams
// array), each to the argument's bytes. InvalidArgument with the reason.
absl::StatusOr<CpuLaunch> CheckLaunch(const CpuTwinKernel& kernel, const KernelParamLayout& layout,
                                      void* const* params, const LaunchShape& shape,
                                      const AllocationRegistry& registry);

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_LAUNCH_CHECK_H_
