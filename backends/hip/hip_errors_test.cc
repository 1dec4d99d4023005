// The hipError_t table against Debian's hip_runtime_api.h, and messages made
// without the library loaded (as before initialize()).
#include "backends/hip/hip_errors.h"

#include <regex>

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/vendor_errors_testing.h"
#include "gtest/gtest.h"

namespace hal::hip {
namespace {

TEST(HipErrorsTest, EveryHipErrorOfTheHeaderIsMappedUnderItsFirstName) {
  gpu::testing::ExpectEveryEnumeratorMapped(
      HipErrors(), HAL_HIP_TEST_RUNTIME_API_H, "typedef enum __HIP_NODISCARD hipError_t",
      "} hipError_t;", std::regex(R"((hip[A-Za-z]+)\s*=\s*([0-9]+))"), 60);
}

TEST(HipErrorsTest, AliasesShareTheirCodesMeaning) {
  EXPECT_STREQ(HipErrors().Find(hipErrorMemoryAllocation)->name, "hipErrorOutOfMemory");
  EXPECT_STREQ(HipErrors().Find(hipErrorInvalidResourceHandle)->name, "hipErrorInvalidHandle");
  EXPECT_EQ(HipErrors().ResultOf(hipErrorOutOfMemory), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(HipErrors().ResultOf(hipErrorNoBinaryForGpu), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(HipErrors().ResultOf(hipErrorNoDevice), HAL_ERROR_UNAVAILABLE);
  EXPECT_EQ(HipErrors().ResultOf(hipErrorNotReady), HAL_NOT_READY);
  EXPECT_EQ(HipErrors().ResultOf(hipErrorNotSupported), HAL_ERROR_UNSUPPORTED);
}

TEST(HipErrorsTest, ADevicesExceptionsAreStickyAndLoseTheContext) {
  const hipError_t sticky[] = {hipErrorIllegalAddress, hipErrorLaunchFailure, hipErrorAssert,
                               hipErrorECCNotCorrectable, hipErrorLaunchTimeOut};
  for (const hipError_t code : sticky) {
    gpu::ContextHealth health;
    EXPECT_EQ(Check(code, "hipStreamSynchronize", &health), HAL_ERROR_UNAVAILABLE) << code;
    EXPECT_TRUE(health.lost()) << code;
  }
  gpu::ContextHealth health;
  EXPECT_EQ(Check(hipErrorOutOfMemory, "hipMalloc", &health), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_FALSE(health.lost());
}

TEST(HipErrorsTest, WithoutTheLibraryTheTableNamesTheCode) {
  struct Case {
    hipError_t code;
    hal_result result;
    const char* message;
  };
  const Case cases[] = {
      {hipErrorNoDevice, HAL_ERROR_UNAVAILABLE, "hipGetDeviceCount: hipErrorNoDevice (100)"},
      // A code the header lacks, within what a hipError_t may hold (0 to 2047).
      {static_cast<hipError_t>(2000), HAL_ERROR_INTERNAL,
       "hipGetDeviceCount: unknown error (2000)"},
  };
  EXPECT_EQ(Check(hipSuccess, "hipGetDeviceCount"), HAL_SUCCESS);
  for (const Case& c : cases) {
    EXPECT_EQ(Check(c.code, "hipGetDeviceCount"), c.result) << c.code;
    EXPECT_STREQ(gpu::LastErrorMessage(), c.message);
  }
}

}  // namespace
}  // namespace hal::hip
