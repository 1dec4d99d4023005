#include "tests/fake_vendor/config_text.h"

#include <gtest/gtest.h>

namespace hal::fake {
namespace {

const std::vector<std::string> kKeys = {"devices", "sm", "memory_mib"};

TEST(ConfigTextTest, PerDeviceListsAndSingleValuesAndDefaults) {
  absl::StatusOr<ConfigText> config = ConfigText::Parse(" devices=2; sm=90,80 ;", kKeys);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(*config->ValueFor("devices", 1, 0), 2u);  // one value: every device
  EXPECT_EQ(*config->ValueFor("sm", 0, 0), 90u);
  EXPECT_EQ(*config->ValueFor("sm", 1, 0), 80u);
  EXPECT_EQ(*config->ValueFor("memory_mib", 1, 1024), 1024u);
  EXPECT_TRUE(config->Has("sm"));
  EXPECT_FALSE(config->Has("memory_mib"));
  EXPECT_EQ(config->ValueFor("sm", 2, 0).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ConfigTextTest, EmptyTextIsAllDefaults) {
  absl::StatusOr<ConfigText> config = ConfigText::Parse("", kKeys);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config->ValueFor("devices", 0, 1), 1u);
}

TEST(ConfigTextTest, MalformedTextIsRefusedWithWhatWasWrong) {
  for (const char* text : {"devices", "devices=x", "devices=1,", "colour=1", "sm=1;sm=2",
                           "devices=-1", "devices=99999999999999999999999"}) {
    absl::StatusOr<ConfigText> config = ConfigText::Parse(text, kKeys);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_NE(ConfigText::Parse("colour=1", kKeys).status().message().find("known keys"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace hal::fake
