#include "backends/gpu_core/vendor_errors.h"

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/gpu_objects.h"
#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

constexpr VendorError kErrors[] = {
    {0, "VENDOR_SUCCESS", HAL_SUCCESS, false},
    {2, "VENDOR_ERROR_OUT_OF_MEMORY", HAL_ERROR_OUT_OF_MEMORY, false},
    {700, "VENDOR_ERROR_ILLEGAL_ADDRESS", HAL_ERROR_UNAVAILABLE, true},
};

TEST(VendorErrorsTest, MapsCodesToResultsAndNames) {
  const VendorErrorTable table(kErrors, HAL_ERROR_INTERNAL);
  EXPECT_EQ(table.ResultOf(2), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(table.ResultOf(12345), HAL_ERROR_INTERNAL);
  EXPECT_STREQ(table.Find(700)->name, "VENDOR_ERROR_ILLEGAL_ADDRESS");
  EXPECT_EQ(table.Find(12345), nullptr);
  EXPECT_TRUE(table.IsSticky(700));
  EXPECT_FALSE(table.IsSticky(2));
  EXPECT_FALSE(table.IsSticky(12345));
}

TEST(VendorErrorsTest, DescribesACallWithNameCodeAndDescription) {
  const VendorErrorTable table(kErrors, HAL_ERROR_INTERNAL);
  EXPECT_EQ(table.Describe("cuMemAlloc", 2, "out of memory"),
            "cuMemAlloc: VENDOR_ERROR_OUT_OF_MEMORY (2): out of memory");
  EXPECT_EQ(table.Describe("cuMemAlloc", 2, ""), "cuMemAlloc: VENDOR_ERROR_OUT_OF_MEMORY (2)");
  EXPECT_EQ(table.Describe("cuX", 12345, ""), "cuX: unknown error (12345)");
}

TEST(VendorErrorsTest, CheckSetsTheMessageAndMarksTheContextLostOnAStickyCode) {
  const VendorErrorTable table(kErrors, HAL_ERROR_INTERNAL);
  ContextHealth health;
  EXPECT_EQ(table.Check(0, "cuMemAlloc", "", &health), HAL_SUCCESS);
  EXPECT_EQ(table.Check(2, "cuMemAlloc", "out of memory", &health), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_STREQ(LastErrorMessage(), "cuMemAlloc: VENDOR_ERROR_OUT_OF_MEMORY (2): out of memory");
  EXPECT_FALSE(health.lost());
  EXPECT_EQ(table.Check(700, "cuStreamSynchronize", "", &health), HAL_ERROR_UNAVAILABLE);
  EXPECT_TRUE(health.lost());
  EXPECT_EQ(health.Check(), HAL_ERROR_UNAVAILABLE);
  EXPECT_STREQ(LastErrorMessage(),
               "the context is lost after a sticky error: cuStreamSynchronize: "
               "VENDOR_ERROR_ILLEGAL_ADDRESS (700)");
  EXPECT_EQ(table.Check(700, "cuInit", "", nullptr), HAL_ERROR_UNAVAILABLE);
}

}  // namespace
}  // namespace hal::gpu
