#include "backends/level_zero/ze_errors.h"

#include <level_zero/ze_api.h>

#include "backends/gpu_core/gpu_objects.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::level_zero {
namespace {

using ::testing::HasSubstr;

TEST(ZeErrorsTest, EveryResultOfTheHeaderHasItsName) {
  EXPECT_STREQ(ZeErrors().Find(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)->name,
               "ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY");
  EXPECT_STREQ(ZeErrors().Find(ZE_RESULT_ERROR_UNKNOWN)->name, "ZE_RESULT_ERROR_UNKNOWN");
  EXPECT_THAT(ZeErrors().Describe("zeMemAllocDevice", ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY, ""),
              HasSubstr("zeMemAllocDevice: ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY"));
}

TEST(ZeErrorsTest, ResultsMapToTheAbi) {
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_UNINITIALIZED), HAL_ERROR_UNAVAILABLE);
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_MODULE_BUILD_FAILURE), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_INVALID_KERNEL_NAME), HAL_ERROR_NOT_FOUND);
  EXPECT_EQ(ZeErrors().ResultOf(ZE_RESULT_ERROR_UNSUPPORTED_FEATURE), HAL_ERROR_UNSUPPORTED);
  EXPECT_EQ(ZeErrors().ResultOf(0x7abcdef0), HAL_ERROR_INTERNAL);  // a newer loader's code
}

TEST(ZeErrorsTest, ALostDeviceLosesTheContext) {
  EXPECT_TRUE(ZeErrors().IsSticky(ZE_RESULT_ERROR_DEVICE_LOST));
  EXPECT_FALSE(ZeErrors().IsSticky(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY));
  gpu::ContextHealth health;
  EXPECT_EQ(ZeErrors().Check(ZE_RESULT_ERROR_DEVICE_LOST, "zeEventHostSynchronize", "", &health),
            HAL_ERROR_UNAVAILABLE);
  EXPECT_TRUE(health.lost());
}

}  // namespace
}  // namespace hal::level_zero
