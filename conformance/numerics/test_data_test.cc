// The test data and checks the numerics suites rely on: a check that cannot
// fail would let a broken driver pass, so each is shown failing here.
#include "conformance/numerics/test_data.h"

#include <cstdint>
#include <set>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

TEST(NumericsTestData, HashBytesDifferAcrossOffsetsAndSeeds) {
  const std::vector<uint8_t> bytes = HashBytes(8192 + 3, 1);
  ASSERT_EQ(bytes.size(), 8192u + 3);
  // A copy landing 1, 8, 256 or 4096 bytes off reads other bytes.
  for (size_t shift : {1, 8, 256, 4096}) {
    EXPECT_NE(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 64),
              std::vector<uint8_t>(bytes.begin() + shift, bytes.begin() + shift + 64))
        << "shift " << shift;
  }
  EXPECT_NE(HashBytes(64, 1), HashBytes(64, 2));
  EXPECT_EQ(HashBytes(64, 1), HashBytes(64, 1));
  EXPECT_TRUE(HashBytes(0, 1).empty());
}

TEST(NumericsTestData, DifferingFromChangesEveryByteEqualToTheBackground) {
  const std::vector<uint8_t> background = {1, 2, 3, 4, 5, 6};
  const std::vector<uint8_t> source = DifferingFrom({9, 3, 4, 9}, background, 2);
  ASSERT_EQ(source.size(), 4u);
  for (size_t i = 0; i < source.size(); ++i) EXPECT_NE(source[i], background[2 + i]) << i;
  EXPECT_EQ(source[0], 9);  // unchanged where it already differed
}

TEST(NumericsTestData, HashFloatsAreExactStepsInTheirRangeAndVary) {
  const std::vector<float> values = HashFloats(4096, 3, 0.5f, 1.5f);
  std::set<float> distinct(values.begin(), values.end());
  EXPECT_GT(distinct.size(), 4000u);
  for (float value : values) {
    ASSERT_GE(value, 0.5f);
    ASSERT_LT(value, 1.5f);
    // A multiple of 2^-23 past 0.5: exact in float.
    const double steps = (static_cast<double>(value) - 0.5) * 0x1p23;
    ASSERT_EQ(steps, static_cast<double>(static_cast<int64_t>(steps)));
  }
}

TEST(NumericsTestData, HashIntsVary) {
  const std::vector<int32_t> values = HashInts(1024, 4);
  EXPECT_GT(std::set<int32_t>(values.begin(), values.end()).size(), 1000u);
}

TEST(NumericsTestData, RepeatedPatternIsLittleEndianAtAnySize) {
  EXPECT_EQ(RepeatedPattern(0x01020304u, 10), (std::vector<uint8_t>{4, 3, 2, 1, 4, 3, 2, 1, 4, 3}));
  EXPECT_EQ(RepeatedPattern(0x01020304u, 3), (std::vector<uint8_t>{4, 3, 2}));
  EXPECT_TRUE(RepeatedPattern(0xFFFFFFFFu, 0).empty());
  const std::vector<uint8_t> large = RepeatedPattern(0xA1B2C3D4u, 4099);
  for (size_t i = 0; i < large.size(); ++i) {
    ASSERT_EQ(large[i], static_cast<uint8_t>(0xA1B2C3D4u >> (8 * (i % 4)))) << i;
  }
}

TEST(NumericsTestData, BytesEqualNamesTheFirstDifference) {
  EXPECT_TRUE(BytesEqual(std::vector<uint8_t>{1, 2, 3}, std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(BytesEqual({}, {}));
  const ::testing::AssertionResult differs =
      BytesEqual(std::vector<uint8_t>{1, 7, 3, 8}, std::vector<uint8_t>{1, 2, 3, 4});
  EXPECT_FALSE(differs);
  EXPECT_THAT(differs.message(), HasSubstr("byte 1: got 0x7, expected 0x2"));
  EXPECT_THAT(differs.message(), HasSubstr("2 of 4 bytes differ, in [1, 3]"));
  EXPECT_FALSE(BytesEqual(std::vector<uint8_t>{1}, std::vector<uint8_t>{1, 2}));
}

TEST(NumericsTestData, RangeOverBackgroundFailsOnAnyByteOutOfPlace) {
  const std::vector<uint8_t> background = {0, 0, 0, 0, 0, 0};
  const std::vector<uint8_t> range = {7, 8};
  EXPECT_TRUE(RangeOverBackground(std::vector<uint8_t>{0, 0, 7, 8, 0, 0}, background, 2, range));
  // Before, inside and after the range; and a range past the end.
  const ::testing::AssertionResult before =
      RangeOverBackground(std::vector<uint8_t>{0, 1, 7, 8, 0, 0}, background, 2, range);
  EXPECT_FALSE(before);
  EXPECT_THAT(before.message(), HasSubstr("before the range"));
  const ::testing::AssertionResult inside =
      RangeOverBackground(std::vector<uint8_t>{0, 0, 7, 0, 0, 0}, background, 2, range);
  EXPECT_FALSE(inside);
  EXPECT_THAT(inside.message(), HasSubstr("in the range"));
  const ::testing::AssertionResult after =
      RangeOverBackground(std::vector<uint8_t>{0, 0, 7, 8, 0, 9}, background, 2, range);
  EXPECT_FALSE(after);
  EXPECT_THAT(after.message(), HasSubstr("after the range"));
  EXPECT_FALSE(RangeOverBackground(background, background, 5, range));
}

TEST(NumericsTestData, GuardedTailSetsTheLastElements) {
  EXPECT_EQ(GuardedTail<int>({1, 2, 3, 4}, 2, -1), (std::vector<int>{1, 2, -1, -1}));
  EXPECT_EQ(GuardedTail<int>({1}, 3, -1), (std::vector<int>{-1}));
}

TEST(NumericsTestData, AllEqualAndElementsEqualNameWhatDiffers) {
  EXPECT_TRUE(AllEqual<int>(std::vector<int>{5, 5}, 5));
  const ::testing::AssertionResult all = AllEqual<int>(std::vector<int>{5, 6, 7}, 5);
  EXPECT_FALSE(all);
  EXPECT_THAT(all.message(), HasSubstr("2 of 3 elements differ from 5, the first [1] = 6"));
  EXPECT_TRUE(ElementsEqual<int>(std::vector<int>{1, 2}, std::vector<int>{1, 2}));
  const ::testing::AssertionResult elements =
      ElementsEqual<int>(std::vector<int>{1, 3}, std::vector<int>{1, 2});
  EXPECT_FALSE(elements);
  EXPECT_THAT(elements.message(), HasSubstr("[1] got 3, expected 2"));
  EXPECT_FALSE(ElementsEqual<int>(std::vector<int>{1}, std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace hal::cts
