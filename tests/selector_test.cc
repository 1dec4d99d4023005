#include "hal/selector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

constexpr std::array<uint8_t, 16> kUuidA = {0x3f, 0x2a, 0x00, 0x01, 0x10, 0x20, 0x30, 0x40,
                                            0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xff};
constexpr std::array<uint8_t, 16> kUuidB = {};

DeviceSelector MustParse(absl::string_view text) {
  auto selector = DeviceSelector::Parse(text);
  EXPECT_TRUE(selector.ok()) << selector.status();
  return selector.ok() ? *selector : DeviceSelector();
}

TEST(DeviceSelectorTest, EmptySelectsEverything) {
  DeviceSelector selector = MustParse("  ");
  EXPECT_TRUE(selector.Matches("cpu", 0, kUuidA));
  EXPECT_TRUE(selector.Matches("vulkan", 3, kUuidB));
  EXPECT_TRUE(DeviceSelector().Matches("cuda", 1, kUuidB));
}

TEST(DeviceSelectorTest, DriverAndIndexTerms) {
  DeviceSelector selector = MustParse("cuda:0,vulkan:*");
  EXPECT_TRUE(selector.Matches("cuda", 0, kUuidA));
  EXPECT_FALSE(selector.Matches("cuda", 1, kUuidA));
  EXPECT_TRUE(selector.Matches("vulkan", 7, kUuidA));
  EXPECT_FALSE(selector.Matches("cpu", 0, kUuidA));
  EXPECT_TRUE(selector.MayMatchDriver("cuda"));
  EXPECT_FALSE(selector.MayMatchDriver("cpu"));
}

TEST(DeviceSelectorTest, BareDriverNameMeansAllItsDevices) {
  DeviceSelector selector = MustParse("cpu");
  EXPECT_TRUE(selector.Matches("cpu", 0, kUuidA));
  EXPECT_TRUE(selector.Matches("cpu", 5, kUuidA));
  EXPECT_FALSE(selector.Matches("vulkan", 0, kUuidA));
}

TEST(DeviceSelectorTest, NegationAloneKeepsTheRest) {
  DeviceSelector selector = MustParse("!cpu");
  EXPECT_FALSE(selector.Matches("cpu", 0, kUuidA));
  EXPECT_TRUE(selector.Matches("vulkan", 0, kUuidA));
  EXPECT_FALSE(selector.MayMatchDriver("cpu"));
  EXPECT_TRUE(selector.MayMatchDriver("cuda"));
}

TEST(DeviceSelectorTest, NegationWinsOverPositiveTerms) {
  DeviceSelector selector = MustParse("*,!vulkan:1");
  EXPECT_TRUE(selector.Matches("vulkan", 0, kUuidA));
  EXPECT_FALSE(selector.Matches("vulkan", 1, kUuidA));
  EXPECT_TRUE(selector.Matches("cpu", 1, kUuidA));
}

TEST(DeviceSelectorTest, UuidTermsMatchOnlyThatDevice) {
  DeviceSelector selector = MustParse("cpu:" + FormatUuid(kUuidA));
  EXPECT_TRUE(selector.Matches("cpu", 4, kUuidA));
  EXPECT_FALSE(selector.Matches("cpu", 4, kUuidB));
  EXPECT_FALSE(selector.Matches("cuda", 0, kUuidA));
  // Upper-case hex is accepted too.
  EXPECT_TRUE(MustParse("*:3F2A0001-1020-3040-5060-708090A0B0FF").Matches("x", 0, kUuidA));
}

TEST(DeviceSelectorTest, MalformedTermsAreInvalidArgumentNamingTheTerm) {
  for (const char* text : {"cuda:", "cuda:x", ":0", "cu da", "cuda:-1", "!", "cpu,,vulkan",
                           "cpu:3f2a0001-1020-3040-5060-708090a0b0f"}) {
    auto selector = DeviceSelector::Parse(text);
    ASSERT_FALSE(selector.ok()) << text;
    EXPECT_EQ(selector.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(selector.status().message(), HasSubstr("term")) << text;
  }
}

TEST(DeviceSelectorTest, TrailingJunkIsRefusedNamingTheBadPart) {
  const std::pair<const char*, const char*> cases[] = {
      {"cpu:0:1", "term \"cpu:0:1\" has more than one ':' (\"0:1\" after the driver name)"},
      {"cpu:0junk", "term \"cpu:0junk\" names a device that is neither"},
      {"cpu:", "term \"cpu:\" names a device that is neither"},
      {"cpu:*:0", "term \"cpu:*:0\" has more than one ':'"},
      {"vulkan:0,!", "term \"\" must start with a driver name"},
  };
  for (const auto& [text, message] : cases) {
    auto selector = DeviceSelector::Parse(text);
    EXPECT_EQ(selector.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(selector.status().ToString(), HasSubstr(message)) << text;
  }
}

TEST(DeviceSelectorTest, UnmatchedTermsAreExplainedWithWhatExists) {
  const std::vector<DeviceSelector::Candidate> found = {{"cpu", 0, kUuidA}, {"vulkan", 0, kUuidB}};
  EXPECT_THAT(MustParse("cuda:0,vulkan:3,cpu,*:7,!vulkan").ExplainUnmatched(found),
              ::testing::ElementsAre(
                  "\"cuda:0\" matches no device: no driver \"cuda\" has a device; the devices "
                  "found are cpu:0, vulkan:0",
                  "\"vulkan:3\" matches no device: driver \"vulkan\" has vulkan:0",
                  "\"*:7\" matches no device: the devices found are cpu:0, vulkan:0"));
  EXPECT_THAT(MustParse("cuda").ExplainUnmatched({}),
              ::testing::ElementsAre("\"cuda\" matches no device: no driver \"cuda\" has a "
                                     "device; the devices found are none"));
  EXPECT_THAT(MustParse("cpu:0,vulkan").ExplainUnmatched(found), ::testing::IsEmpty());
}

TEST(UuidTest, FormatAndParseRoundTrip) {
  const std::string text = FormatUuid(kUuidA);
  EXPECT_EQ(text, "3f2a0001-1020-3040-5060-708090a0b0ff");
  auto parsed = ParseUuid(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, kUuidA);
  EXPECT_FALSE(ParseUuid("3f2a0001x1020-3040-5060-708090a0b0ff").has_value());
  EXPECT_FALSE(ParseUuid("").has_value());
}

}  // namespace
}  // namespace hal
