// Tests of the suite's own machinery: known-failure marks and their verify
// mode. They run once, not per device, and need no device.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "conformance/expected_failures.h"
#include "conformance/skip.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

const KnownFailureMark kLlvmpipeMark{"vulkan|level_zero", "llvmpipe.*", "test reason", __FILE__,
                                     __LINE__};

std::optional<std::string> CurrentTestProperty(const char* key) {
  const ::testing::TestResult& result =
      *::testing::UnitTest::GetInstance()->current_test_info()->result();
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

TEST(CtsSelfTest, TestPatternsMatchWholeNamesWithStars) {
  EXPECT_TRUE(TestNameMatches("Copy.ZeroSizeIsANoOp", "Copy.ZeroSizeIsANoOp"));
  EXPECT_TRUE(TestNameMatches("Copy.*", "Copy.ZeroSizeIsANoOp"));
  EXPECT_TRUE(TestNameMatches("*.Zero*NoOp", "Copy.ZeroSizeIsANoOp"));
  EXPECT_TRUE(TestNameMatches("*", ""));
  EXPECT_FALSE(TestNameMatches("Copy", "Copy.ZeroSizeIsANoOp"));
  EXPECT_FALSE(TestNameMatches("Copy.Zero", "Copy.ZeroSizeIsANoOp"));
  EXPECT_FALSE(TestNameMatches("Fill.*", "Copy.ZeroSizeIsANoOp"));
  EXPECT_FALSE(TestNameMatches("*NoOpX", "Copy.ZeroSizeIsANoOp"));
}

// An expected-failures file of `contents` in the temporary folder.
std::string WriteExpectedFailures(const std::string& name, const std::string& contents) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << contents;
  return path;
}

TEST(CtsSelfTest, ExpectedFailuresFileNamesTestsOnDevices) {
  const std::string path = WriteExpectedFailures("hal_cts_self_test_expected.json",
                                                 R"({"expected_failures": [
            {"test": "Fill.*", "driver": "vulkan", "device": "llvmpipe.*", "reason": "bug 1"},
            {"test": "Copy.ZeroSizeIsANoOp", "reason": "bug 2"}]})");
  auto entries = ReadExpectedFailures(path);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  const ExpectedFailure* fill =
      FindExpectedFailure(*entries, "Fill.LargeBuffer", "vulkan", "llvmpipe (LLVM 15)");
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->mark.reason, "bug 1");
  EXPECT_EQ(FindExpectedFailure(*entries, "Fill.LargeBuffer", "cpu", "AMD EPYC"), nullptr);
  const ExpectedFailure* copy =
      FindExpectedFailure(*entries, "Copy.ZeroSizeIsANoOp", "cpu", "AMD EPYC");
  ASSERT_NE(copy, nullptr) << "driver and device default to any";
  EXPECT_EQ(FindExpectedFailure(*entries, "Copy.Other", "cpu", "AMD EPYC"), nullptr);
  // Verify mode names the entry to remove, not a source mark.
  EXPECT_NONFATAL_FAILURE(KnownFailureScope::Conclude(/*body_failed=*/false, copy->mark),
                          "known failure now passes: \"bug 2\"; remove entry 2 "
                          "(\"Copy.ZeroSizeIsANoOp\") from");
  std::filesystem::remove(path);
}

TEST(CtsSelfTest, MalformedExpectedFailuresAreRefusedNamingTheEntry) {
  struct Case {
    const char* contents;
    const char* message;
  };
  const Case cases[] = {
      {"{ nope", "not valid JSON"},
      {R"({"failures": []})", "\"expected_failures\" array"},
      {R"({"expected_failures": [{"test": "A.B"}]})", "entry 1 lacks \"reason\""},
      {R"({"expected_failures": [{"test": "A.B", "reason": "r", "devcie": "x"}]})",
       "entry 1 has an unknown key \"devcie\""},
      {R"({"expected_failures": [{"test": "A.B", "reason": "r"}, {"test": "", "reason": "r"}]})",
       "entry 2 \"test\" must be a non-empty string"},
      {R"({"expected_failures": [{"test": "A.B", "reason": "r", "driver": "(vulkan"}]})",
       "entry 1 has an invalid regular expression \"(vulkan\""},
  };
  for (const Case& c : cases) {
    const std::string path = WriteExpectedFailures("hal_cts_self_test_bad.json", c.contents);
    const auto entries = ReadExpectedFailures(path);
    EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument) << c.contents;
    EXPECT_THAT(std::string(entries.status().message()), ::testing::HasSubstr(c.message));
    EXPECT_THAT(std::string(entries.status().message()), ::testing::HasSubstr(path));
    std::filesystem::remove(path);
  }
  EXPECT_EQ(ReadExpectedFailures("/nonexistent/expected.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace hal::cts
