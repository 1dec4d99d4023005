// The fixture of the CUDA driver's ABI tests: gpu_core's, over the fake
// libcuda.so.1 (tests/fake_cuda).
#ifndef HAL_BACKENDS_CUDA_CUDA_DRIVER_ABI_FIXTURE_H_
#define HAL_BACKENDS_CUDA_CUDA_DRIVER_ABI_FIXTURE_H_

#include <string>

#include "backends/gpu_core/driver_abi_fixture.h"
#include "tests/fake_cuda/fake_cuda_control.h"

namespace hal::cuda_abi_test {

using gpu::testing::ElementConstants;
using gpu::testing::kMiB;
using gpu::testing::Ledger;
using ::testing::HasSubstr;

struct FakeCuda {
  using Control = HalFakeCudaControl;
  static bool LoadControl(Control* control, std::string* error) {
    return hal_fake_cuda_control_load(control, error);
  }
  static constexpr const char* kDriverPath = HAL_CUDA_DRIVER_PATH;
  static constexpr const char* kBundlePath = HAL_CUDA_TEST_STANDARD_BUNDLE;
  static constexpr const char* kBundlesVariable = "HAL_FAKE_CUDA_BUNDLES";
  static constexpr const char* kDefaultFormat = "cubin:sm_90";
};

using CudaDriverTest = gpu::testing::GpuDriverFixture<FakeCuda>;

}  // namespace hal::cuda_abi_test

#endif  // HAL_BACKENDS_CUDA_CUDA_DRIVER_ABI_FIXTURE_H_
