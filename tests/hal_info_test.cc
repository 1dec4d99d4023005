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
  testing::CommandResult run = HalInfo("--json --selector '!*'");
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

namespace hal {
namespace {

TEST(HalInfoPoolTest, ShowsThePoolAndItsVirtualDevices) {
  testing::TestFolder folder;
  const std::string file = folder.Write("pool.json", R"({
    "pool": {"devices": ["cpu:0"], "overcommit_ratio": 2, "capacity_caps": {"cpu:0": "64MiB"}},
    "virtual_devices": [
      {"name": "training", "memory_quota": "64MiB", "compute_share": 0.75, "priority": 2},
      {"name": "inference", "memory_quota": "32MiB", "compute_share": 0.25}]})");
  testing::CommandResult table = HalInfo("--pool " + file);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, ::testing::HasSubstr("Pool: overcommit 2.00x, placement binpack"));
  EXPECT_THAT(table.output, ::testing::HasSubstr("training     on cpu:0    memory 0 / 67108864 B"));
  EXPECT_THAT(table.output, ::testing::HasSubstr("compute 0.25 (time-slice)"));

  testing::CommandResult json_run = HalInfo("--json --pool " + file);
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  const nlohmann::json json = ParseJson(json_run);
  const nlohmann::json& pool = json["pool"];
  EXPECT_EQ(pool["overcommit_ratio"], 2.0);
  ASSERT_EQ(pool["devices"].size(), 1u);
  EXPECT_EQ(pool["devices"][0]["capacity_bytes"], 64u << 20);
  EXPECT_EQ(pool["devices"][0]["quota_placed_bytes"], 96u << 20);
  EXPECT_TRUE(pool["devices"][0]["residency"].is_object());
  ASSERT_EQ(pool["virtual_devices"].size(), 2u);
  EXPECT_EQ(pool["virtual_devices"][1]["name"], "inference");
  EXPECT_EQ(pool["virtual_devices"][1]["memory_quota_bytes"], 32u << 20);
  EXPECT_EQ(pool["virtual_devices"][1]["memory_used_bytes"], 0u);
  EXPECT_EQ(pool["virtual_devices"][1]["compute_enforcement"], "time-slice");
}

TEST(HalInfoPoolTest, PoolThatCannotBePlacedExitsOne) {
  testing::TestFolder folder;
  const std::string file = folder.Write("pool.json", R"({
    "pool": {"devices": ["cpu"], "capacity_caps": {"cpu:0": "1MiB"}},
    "virtual_devices": [{"name": "big", "memory_quota": "2MiB"}]})");
  testing::CommandResult run = HalInfo("--pool " + file);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, ::testing::HasSubstr("no device of the pool can take"));
  testing::CommandResult malformed = HalInfo("--pool " + folder.Write("bad.json", "{ nope"));
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.output, ::testing::HasSubstr("not valid JSON"));
  testing::CommandResult missing = HalInfo("--pool " + folder.path() + "/none.json");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, ::testing::HasSubstr("cannot open pool file"));
}

}  // namespace
}  // namespace hal
