// The CUresult table against cuda.h itself: every code the header defines is
// mapped, under its own name, so a newer cuda.h's codes are not forgotten.
#include "backends/cuda/cuda_errors.h"

#include <regex>

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/vendor_errors_testing.h"
#include "gtest/gtest.h"

namespace hal::cuda {
namespace {

TEST(CudaErrorsTest, EveryCuResultOfCudaHIsMappedUnderItsName) {
  gpu::testing::ExpectEveryEnumeratorMapped(CudaErrors(), HAL_CUDA_TEST_CUDA_H,
                                            "typedef enum cudaError_enum", "} CUresult;",
                                            std::regex(R"((CUDA_[A-Z0-9_]+)\s*=\s*([0-9]+))"), 100);
}

TEST(CudaErrorsTest, CodesMapToTheArchitecturesMeanings) {
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_OUT_OF_MEMORY), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_INVALID_PTX), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_NOT_FOUND), HAL_ERROR_NOT_FOUND);
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_STUB_LIBRARY), HAL_ERROR_UNAVAILABLE);
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_NOT_SUPPORTED), HAL_ERROR_UNSUPPORTED);
  EXPECT_EQ(CudaErrors().ResultOf(CUDA_ERROR_NOT_READY), HAL_NOT_READY);
  for (CUresult sticky : {CUDA_ERROR_ILLEGAL_ADDRESS, CUDA_ERROR_LAUNCH_FAILED, CUDA_ERROR_ASSERT,
                          CUDA_ERROR_ILLEGAL_INSTRUCTION, CUDA_ERROR_MISALIGNED_ADDRESS,
                          CUDA_ERROR_HARDWARE_STACK_ERROR, CUDA_ERROR_ECC_UNCORRECTABLE}) {
    EXPECT_TRUE(CudaErrors().IsSticky(sticky)) << sticky;
    EXPECT_EQ(CudaErrors().ResultOf(sticky), HAL_ERROR_UNAVAILABLE) << sticky;
  }
  EXPECT_FALSE(CudaErrors().IsSticky(CUDA_ERROR_OUT_OF_MEMORY));
}

TEST(CudaErrorsTest, CheckWithoutLibcudaNamesTheCodeWithoutADescription) {
  EXPECT_EQ(Check(CUDA_SUCCESS, "cuInit"), HAL_SUCCESS);
  EXPECT_EQ(Check(CUDA_ERROR_NO_DEVICE, "cuInit"), HAL_ERROR_UNAVAILABLE);
  EXPECT_STREQ(gpu::LastErrorMessage(), "cuInit: CUDA_ERROR_NO_DEVICE (100)");
  // A code cuda.h lacks, within what a CUresult may hold (0 to 1023).
  EXPECT_EQ(Check(static_cast<CUresult>(1000), "cuX"), HAL_ERROR_INTERNAL);
  EXPECT_STREQ(gpu::LastErrorMessage(), "cuX: unknown error (1000)");
}

}  // namespace
}  // namespace hal::cuda
