// hal-info as a user runs it: the table, the JSON schema, selectors, broken
// drivers beside working ones, and the exit codes.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

testing::CommandResult HalInfo(const std::string& args) {
  // The user's environment must not steer the test.
  return testing::RunCommand("env -u HAL_DEVICE_SELECTOR -u HAL_DRIVER_PATH " +
                             testing::BuiltProgram("hal-info") + " " + args);
}

nlohmann::json ParseJson(const testing::CommandResult& run) {
  nlohmann::json json = nlohmann::json::parse(run.output, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << run.output;
  return json;
}

TEST(HalInfoTest, JsonListsTheCpuDriverAndDevice) {
  testing::CommandResult run = HalInfo("--json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  nlohmann::json json = ParseJson(run);
  EXPECT_EQ(json["hal_info_schema"], 1);
  bool cpu_driver = false;
  for (const auto& driver : json["drivers"]) {
    for (const char* key : {"name", "available", "reason", "version", "abi_version"}) {
      EXPECT_TRUE(driver.contains(key)) << key;
    }
    if (driver["name"] == "cpu") {
      cpu_driver = true;
      EXPECT_EQ(driver["available"], true);
      EXPECT_EQ(driver["abi_version"], "1.0");
    }
  }
  EXPECT_TRUE(cpu_driver);
  ASSERT_FALSE(json["devices"].empty());
  const auto& device = json["devices"][0];
  EXPECT_EQ(device["id"], "cpu:0");
  EXPECT_EQ(device["driver"], "cpu");
  EXPECT_GT(device["memory_bytes"].get<uint64_t>(), 0u);
  EXPECT_GT(device["compute_units"].get<uint32_t>(), 0u);
  EXPECT_THAT(device["kernel_formats"][0].get<std::string>(), HasSubstr("cpu-elf:"));
  EXPECT_EQ(device["partition"]["kind"], "none");
  EXPECT_LE(device["free_memory_bytes"].get<uint64_t>(), device["memory_bytes"].get<uint64_t>());
}

TEST(HalInfoTest, TableShowsDevicesAndAPasteableSelector) {
  testing::CommandResult json_run = HalInfo("--json");
  const std::string selector = ParseJson(json_run)["devices"][0]["selector"];
  testing::CommandResult run = HalInfo("");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("cpu:0"));
  EXPECT_THAT(run.output, HasSubstr("loaded"));
  EXPECT_THAT(run.output, HasSubstr(selector));

  // The printed selector, pasted back, selects the same device.
  testing::CommandResult selected = HalInfo("--json --selector " + selector);
  ASSERT_EQ(selected.exit_code, 0) << selected.output;
  nlohmann::json json = ParseJson(selected);
  ASSERT_EQ(json["devices"].size(), 1u);
  EXPECT_EQ(json["devices"][0]["id"], "cpu:0");
  EXPECT_EQ(json["selector"], selector);
}

TEST(HalInfoTest, SelectorThatExcludesEverythingExitsTwo) {
  testing::CommandResult run = HalInfo("--json --selector '!cpu'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(ParseJson(run)["devices"].empty());
}

TEST(HalInfoTest, MalformedSelectorExitsOneWithTheMessage) {
  testing::CommandResult run = HalInfo("--selector 'cpu:zero'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("cpu:zero"));
}

TEST(HalInfoTest, BrokenDriverIsListedWithItsReason) {
  testing::TestFolder folder;
  folder.Write("broken.json",
               R"({"driver": {"name": "broken", "library_path": "/nonexistent/libbroken.so",)"
               R"( "abi_version": "1.0"}})");
  testing::CommandResult run = HalInfo("--driver-path " + folder.path());
  EXPECT_EQ(run.exit_code, 0) << run.output;  // the CPU device is still usable
  EXPECT_THAT(run.output, HasSubstr("unavailable: cannot load /nonexistent/libbroken.so"));
  EXPECT_THAT(run.output, HasSubstr("cpu:0"));

  // The environment variable is honoured the same way.
  testing::CommandResult env_run = testing::RunCommand(
      "HAL_DRIVER_PATH=" + folder.path() + " " + testing::BuiltProgram("hal-info") + " --json");
  ASSERT_EQ(env_run.exit_code, 0) << env_run.output;
  bool found = false;
  const nlohmann::json env_json = ParseJson(env_run);
  for (const auto& driver : env_json["drivers"]) {
    if (driver["name"] == "broken") {
      found = true;
      EXPECT_EQ(driver["available"], false);
      EXPECT_THAT(driver["reason"].get<std::string>(), HasSubstr("libbroken.so"));
    }
  }
  EXPECT_TRUE(found);
}

TEST(HalInfoTest, VerboseShowsEveryProperty) {
  testing::CommandResult run = HalInfo("-v");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* text : {"uuid", "free memory", "max workgroup size", "binding offsets",
                           "timestamp resolution", "manifest", "search paths"}) {
    EXPECT_THAT(run.output, HasSubstr(text)) << text;
  }
}

TEST(HalInfoTest, HelpAndBadFlags) {
  testing::CommandResult help = HalInfo("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--json"));
  EXPECT_THAT(help.output, HasSubstr("Exit codes"));
  testing::CommandResult bad = HalInfo("--no-such-flag");
  EXPECT_EQ(bad.exit_code, 1);
}

}  // namespace
}  // namespace hal
