// Tests of the suite's own machinery: known-failure marks and their verify
// mode. They run once, not per device, and need no device.
#include <optional>
#include <string>

#include "conformance/skip.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

const KnownFailureMark kLlvmpipeMark{"vulkan|level_zero", "llvmpipe.*", "test reason", __FILE__,
                                     __LINE__};

std::optional<std::string> CurrentTestProperty(const char* key) {
  const testing::TestResult& result =
      *testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result.test_property_count(); ++i) {
    if (std::string(result.GetTestProperty(i).key()) == key) {
      return std::string(result.GetTestProperty(i).value());
    }
  }
  return std::nullopt;
}

TEST(CtsSelfTest, MarkMatchesWholeDriverAndDeviceNames) {
  EXPECT_TRUE(KnownFailureApplies(kLlvmpipeMark, "vulkan", "llvmpipe (LLVM 15.0.6, 256 bits)"));
  EXPECT_TRUE(KnownFailureApplies(kLlvmpipeMark, "level_zero", "llvmpipe"));
  EXPECT_FALSE(KnownFailureApplies(kLlvmpipeMark, "vulkan", "NVIDIA H100 80GB HBM3"));
  EXPECT_FALSE(KnownFailureApplies(kLlvmpipeMark, "cpu", "llvmpipe"));
  // Whole-name matches: a prefix or a longer name is not the driver.
  EXPECT_FALSE(KnownFailureApplies(kLlvmpipeMark, "vulk", "llvmpipe"));
  EXPECT_FALSE(KnownFailureApplies(kLlvmpipeMark, "vulkan2", "llvmpipe"));
}

TEST(CtsSelfTest, UnmarkedDeviceRunsTheTest) {
  {
    const KnownFailureScope scope(kLlvmpipeMark, "cpu", "AMD EPYC", /*verify_mode=*/false);
    EXPECT_FALSE(scope.skipped());
  }
  EXPECT_EQ(CurrentTestProperty(kSkipKindProperty), std::nullopt);
}

TEST(CtsSelfTest, MarkedDeviceIsSkippedAsKnownFailure) {
  const KnownFailureScope scope(kLlvmpipeMark, "vulkan", "llvmpipe", /*verify_mode=*/false);
  EXPECT_TRUE(scope.skipped());
  EXPECT_EQ(scope.skip_message(), "known failure: test reason");
  EXPECT_EQ(CurrentTestProperty(kSkipKindProperty), kSkipKindKnownFailure);
}

TEST(CtsSelfTest, VerifyModeFailsAMarkedTestThatNowPasses) {
  EXPECT_NONFATAL_FAILURE(
      {
        const KnownFailureScope scope(kLlvmpipeMark, "vulkan", "llvmpipe", /*verify_mode=*/true);
        EXPECT_FALSE(scope.skipped());  // verify mode runs the body
      },
      "known failure now passes: \"test reason\"; remove its "
      "HAL_CTS_KNOWN_FAILURE(\"vulkan|level_zero\", \"llvmpipe.*\", ...) mark");
}

TEST(CtsSelfTest, VerifyModeRecordsABodyThatStillFails) {
  KnownFailureScope::Conclude(/*body_failed=*/true, kLlvmpipeMark);
  EXPECT_FALSE(HasFailure());
  // The report listener reads this to count the test as a known failure.
  EXPECT_EQ(CurrentTestProperty(kKnownFailureStillFailsProperty), "test reason");
}

}  // namespace
}  // namespace hal::cts
