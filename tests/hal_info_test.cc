// hal-info as a user runs it: the table, the JSON schema, selectors, broken
// drivers beside working ones, and the exit codes.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "nlohmann/json.hpp"
#include "runtime/file_reading.h"
#include "tests/hostile_files.h"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

// hal-info with `args`, in an environment where only `env` ("NAME=value ...")
// is set of the variables it reads: the user's must not steer the test.
std::string HalInfoCommand(const std::string& args, const std::string& env) {
  // "timeout": a hang (as on a FIFO) is a failed test, not a stuck suite.
  return "timeout 60 env -u HAL_DEVICE_SELECTOR -u HAL_DRIVER_PATH " + env + " " +
         testing::BuiltProgram("hal-info") + " " + args;
}

testing::CommandResult HalInfo(const std::string& args, const std::string& env = "") {
  return testing::RunCommand(HalInfoCommand(args, env));
}

// Only what hal-info writes on stdout: the inner redirection sends stderr
// away before RunCommand's 2>&1 applies to the group.
testing::CommandResult HalInfoStdout(const std::string& args) {
  return testing::RunCommand("{ " + HalInfoCommand(args, "") + " 2>/dev/null; }");
}

nlohmann::json ParseJson(const testing::CommandResult& run) {
  nlohmann::json json = nlohmann::json::parse(run.output, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << run.output;
  return json;
}

// The entry of `list` whose `key` is `value`; null when there is none.
nlohmann::json FindBy(const nlohmann::json& list, const std::string& key,
                      const std::string& value) {
  for (const nlohmann::json& entry : list) {
    if (entry.value(key, "") == value) return entry;
  }
  return nullptr;
}

// A folder with two manifests the loader cannot use: one naming a library that
// does not exist, one that is not JSON.
void WriteBrokenManifests(const testing::TestFolder& folder) {
  folder.Write("broken.json",
               R"({"driver": {"name": "broken", "library_path": "/nonexistent/libbroken.so",)"
               R"( "abi_version": "2.0"}})");
  folder.Write("garbled.json", "{ nope");
}

TEST(HalInfoTest, JsonListsTheCpuDriverAndDevice) {
  testing::CommandResult run = HalInfo("--json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  nlohmann::json json = ParseJson(run);
  EXPECT_EQ(json["hal_info_schema"], 1);
  EXPECT_EQ(json["selector"], "");
  ASSERT_TRUE(json["search_paths"].is_array());
  EXPECT_FALSE(json["search_paths"].empty());
  for (const auto& driver : json["drivers"]) {
    for (const char* key : {"name", "available", "reason", "version", "abi_version", "manifest",
                            "library", "unusable_devices"}) {
      EXPECT_TRUE(driver.contains(key)) << key;
    }
  }
  const nlohmann::json cpu_driver = FindBy(json["drivers"], "name", "cpu");
  ASSERT_TRUE(cpu_driver.is_object()) << run.output;
  EXPECT_EQ(cpu_driver["available"], true);
  EXPECT_EQ(cpu_driver["reason"], "");
  EXPECT_EQ(cpu_driver["abi_version"],
            absl::StrCat(HAL_DRIVER_ABI_VERSION_MAJOR, ".", HAL_DRIVER_ABI_VERSION_MINOR));
  EXPECT_EQ(cpu_driver["unusable_devices"], nlohmann::json::array());
  EXPECT_THAT(cpu_driver["manifest"].get<std::string>(), HasSubstr("cpu.json"));

  const nlohmann::json device = FindBy(json["devices"], "id", "cpu:0");
  ASSERT_TRUE(device.is_object()) << run.output;
  EXPECT_EQ(device["driver"], "cpu");
  EXPECT_EQ(device["type"], "cpu");
  EXPECT_EQ(device["selector"], "cpu:" + device["uuid"].get<std::string>());
  EXPECT_GT(device["memory_bytes"].get<uint64_t>(), 0u);
  EXPECT_LE(device["free_memory_bytes"].get<uint64_t>(), device["memory_bytes"].get<uint64_t>());
  EXPECT_GT(device["compute_units"].get<uint32_t>(), 0u);
  EXPECT_THAT(device["kernel_formats"][0].get<std::string>(), HasSubstr("cpu-elf:"));
  EXPECT_EQ(device["partition"]["kind"], "none");
  EXPECT_GE(device["partition"]["alignment"].get<uint32_t>(), 1u);
  EXPECT_EQ(device["partition"]["granularity"], device["partition"]["alignment"])
      << "schema 1's name for the alignment stays";
  EXPECT_TRUE(device["partition"]["min_units"].is_number_unsigned());
  EXPECT_THAT(device["architecture"].get<std::string>(), ::testing::AnyOf("x86_64", "aarch64"));
  EXPECT_EQ(device["pci_bus_id"], "") << "the host CPU is not a PCI device";
  EXPECT_TRUE(device["l2_cache_bytes"].is_number_unsigned());
  ASSERT_TRUE(device["capabilities"].is_array());
  for (const nlohmann::json& name : device["capabilities"]) {
    EXPECT_THAT(name.get<std::string>(),
                ::testing::AnyOf("device-address", "virtual-memory", "host-registration",
                                 "native-handles", "stream-priority", "memory-cache"));
  }
  EXPECT_GT(device["limits"]["max_workgroup_invocations"].get<uint32_t>(), 0u);
  EXPECT_EQ(device["limits"]["max_workgroup_count"].size(), 3u);
}

TEST(HalInfoTest, TableShowsDevicesAndAPasteableSelector) {
  const nlohmann::json listed = ParseJson(HalInfo("--json"));
  const std::string selector = FindBy(listed["devices"], "id", "cpu:0").value("selector", "");
  ASSERT_THAT(selector, HasSubstr("cpu:"));
  testing::CommandResult run = HalInfo("");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("cpu:0"));
  EXPECT_THAT(run.output, HasSubstr("loaded"));
  EXPECT_THAT(run.output, HasSubstr("selector   " + selector));
  EXPECT_THAT(run.output, ::testing::ContainsRegex("architecture (x86_64|aarch64), L2 cache "));
  EXPECT_THAT(run.output, HasSubstr("capabilities "));

  // The printed selector, pasted back, selects the same device and only it.
  testing::CommandResult selected = HalInfo("--json --selector " + selector);
  ASSERT_EQ(selected.exit_code, 0) << selected.output;
  nlohmann::json json = ParseJson(selected);
  ASSERT_EQ(json["devices"].size(), 1u);
  EXPECT_EQ(json["devices"][0]["id"], "cpu:0");
  EXPECT_EQ(json["selector"], selector);

  // HAL_DEVICE_SELECTOR has the same syntax, and --selector overrides it.
  testing::CommandResult from_env = HalInfo("--json", "HAL_DEVICE_SELECTOR=" + selector);
  ASSERT_EQ(from_env.exit_code, 0) << from_env.output;
  EXPECT_EQ(ParseJson(from_env)["devices"].size(), 1u);
  testing::CommandResult overridden =
      HalInfo("--json --selector " + selector, "HAL_DEVICE_SELECTOR='!*'");
  EXPECT_EQ(overridden.exit_code, 0) << overridden.output;
}

TEST(HalInfoTest, NegatedDriverRemovesItsDevices) {
  testing::CommandResult run = HalInfo("--json --selector '!cpu'");
  // Other drivers (Vulkan on lavapipe) may still provide a device: 0 or 2.
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 2) << run.output;
  const nlohmann::json json = ParseJson(run);
  EXPECT_TRUE(FindBy(json["drivers"], "name", "cpu").is_object());
  EXPECT_TRUE(FindBy(json["devices"], "driver", "cpu").is_null()) << run.output;
}

TEST(HalInfoTest, SelectorThatExcludesEverythingExitsTwo) {
  testing::CommandResult run = HalInfo("--json --selector '!*'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  const nlohmann::json json = ParseJson(run);
  EXPECT_TRUE(json["devices"].empty());
  EXPECT_FALSE(json["drivers"].empty());
  testing::CommandResult table = HalInfo("--selector '!*'");
  EXPECT_EQ(table.exit_code, 2);
  EXPECT_THAT(table.output, HasSubstr("none selected"));
}

TEST(HalInfoTest, SelectorTermMatchingNothingIsExplained) {
  testing::CommandResult table = HalInfo("--selector cpu:0,nosuchdriver:0");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("selector term \"nosuchdriver:0\" matches no device: no "
                                      "driver \"nosuchdriver\" has a device; the devices found "
                                      "are cpu:0"));
  testing::CommandResult json = HalInfoStdout("--json --selector cpu:5");
  EXPECT_EQ(json.exit_code, 2) << json.output;
  EXPECT_EQ(ParseJson(json)["selector_unmatched"][0],
            "\"cpu:5\" matches no device: driver \"cpu\" has cpu:0");
}

TEST(HalInfoTest, MalformedSelectorExitsOneWithTheMessageOnStderr) {
  testing::CommandResult run = HalInfo("--selector 'cpu:zero'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("hal-info: device selector \"cpu:zero\""));
  testing::CommandResult stdout_only = HalInfoStdout("--selector 'cpu:zero'");
  EXPECT_EQ(stdout_only.exit_code, 1);
  EXPECT_EQ(stdout_only.output, "");

  // The environment variable is parsed the same way.
  testing::CommandResult from_env = HalInfo("", "HAL_DEVICE_SELECTOR=cpu:zero");
  EXPECT_EQ(from_env.exit_code, 1);
  EXPECT_THAT(from_env.output, HasSubstr("cpu:zero"));
}

TEST(HalInfoTest, BrokenDriversAreListedWithTheirReasons) {
  testing::TestFolder folder;
  WriteBrokenManifests(folder);
  testing::CommandResult run = HalInfo("--driver-path " + folder.path());
  EXPECT_EQ(run.exit_code, 0) << run.output;  // the CPU device is still usable
  EXPECT_THAT(run.output, HasSubstr("unavailable: cannot load /nonexistent/libbroken.so"));
  EXPECT_THAT(run.output, HasSubstr("garbled.json: not valid JSON"));
  EXPECT_THAT(run.output, HasSubstr("cpu:0"));

  // The environment variable is honoured the same way.
  testing::CommandResult env_run = HalInfo("--json", "HAL_DRIVER_PATH=" + folder.path());
  ASSERT_EQ(env_run.exit_code, 0) << env_run.output;
  const nlohmann::json broken = FindBy(ParseJson(env_run)["drivers"], "name", "broken");
  ASSERT_TRUE(broken.is_object()) << env_run.output;
  EXPECT_EQ(broken["available"], false);
  EXPECT_EQ(broken["version"], "");
  EXPECT_THAT(broken["reason"].get<std::string>(), HasSubstr("/nonexistent/libbroken.so"));
  EXPECT_EQ(broken["manifest"], folder.path() + "/broken.json");
  EXPECT_EQ(broken["library"], "/nonexistent/libbroken.so");
}

TEST(HalInfoTest, DevicesADriverDoesNotServeAreShownWithTheReason) {
  testing::TestFolder folder;
  folder.Write("unusable.json",
               absl::StrCat(R"({"driver": {"name": "fake_unusable", "library_path": ")",
                            HAL_TEST_FAKE_DRIVER_DIR, R"(/libhal_fake_driver_unusable.so",)",
                            R"( "abi_version": "2.0"}})"));
  testing::CommandResult run = HalInfo("--driver-path " + folder.path());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("not used: Fake GPU 9000: supports FakeAPI 1.1, below the "
                                    "required 2.0"));

  testing::CommandResult json_run = HalInfo("--json --driver-path " + folder.path());
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  const nlohmann::json fake = FindBy(ParseJson(json_run)["drivers"], "name", "fake_unusable");
  ASSERT_TRUE(fake.is_object()) << json_run.output;
  EXPECT_EQ(fake["available"], true);
  ASSERT_EQ(fake["unusable_devices"].size(), 1u);
  EXPECT_EQ(fake["unusable_devices"][0]["name"], "Fake GPU 9000");
  EXPECT_THAT(fake["unusable_devices"][0]["reason"].get<std::string>(),
              HasSubstr("below the required 2.0"));
}

TEST(HalInfoTest, OnlyBrokenDriversExitsTwo) {
  testing::TestFolder folder;
  WriteBrokenManifests(folder);
  testing::CommandResult run = HalInfo("--json --driver-path-only --driver-path " + folder.path());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  const nlohmann::json json = ParseJson(run);
  EXPECT_EQ(json["search_paths"], nlohmann::json::array({folder.path()}));
  ASSERT_EQ(json["drivers"].size(), 2u);
  for (const auto& driver : json["drivers"]) EXPECT_EQ(driver["available"], false);
  EXPECT_TRUE(json["devices"].empty());
}

TEST(HalInfoTest, NoDriverFoundExitsThree) {
  testing::TestFolder empty;
  testing::CommandResult run = HalInfo("--driver-path-only --driver-path " + empty.path());
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_THAT(run.output, HasSubstr("none found; searched: " + empty.path()));
  testing::CommandResult json = HalInfo("--json --driver-path-only");
  EXPECT_EQ(json.exit_code, 3) << json.output;
  EXPECT_TRUE(ParseJson(json)["drivers"].empty());
}

TEST(HalInfoTest, MissingDriverPathFolderIsAUsageError) {
  testing::TestFolder folder;
  const std::string missing = folder.path() + "/no-such-folder";
  testing::CommandResult run = HalInfo("--driver-path " + missing);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr(missing));
  EXPECT_EQ(HalInfoStdout("--driver-path " + missing).output, "");
}

TEST(HalInfoTest, FifoNamedLikeAManifestIsListedNotWaitedOn) {
  testing::TestFolder folder;
  // Of these, the FIFO and the oversized file are *.json files the loader
  // reads (a folder is skipped, /dev/zero is elsewhere).
  for (const testing::HostileFile& file :
       testing::MakeHostileFiles(folder, "x.json", internal::kMaxJsonFileBytes)) {
    if (file.path.rfind(folder.path(), 0) != 0 || file.kind == "directory") continue;
    testing::CommandResult run = HalInfo("--driver-path " + folder.path());
    EXPECT_EQ(run.exit_code, 0) << file.kind << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(file.path + " " + file.refusal)) << file.kind;
  }
}

// Paths and driver strings are bytes, not always UTF-8; the JSON output
// replaces what is not (U+FFFD) instead of aborting.
TEST(HalInfoTest, JsonOfStringsThatAreNotUtf8IsValidJson) {
  testing::TestFolder folder;
  const std::string odd_folder = folder.path() + "/drivers\xff\xfe";
  ASSERT_TRUE(std::filesystem::create_directory(odd_folder));
  std::ofstream(odd_folder + "/odd\xc3.json") << "{ nope";
  testing::CommandResult run = HalInfoStdout("--json --driver-path '" + odd_folder + "'");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  nlohmann::json json = ParseJson(run);
  EXPECT_EQ(json["search_paths"][0], folder.path() + "/drivers\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_FALSE(FindBy(json["drivers"], "name", "odd\xef\xbf\xbd").is_null()) << run.output;
}

TEST(HalInfoTest, VerboseShowsEveryProperty) {
  testing::CommandResult run = HalInfo("-v");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* text :
       {"uuid", "free memory", "max workgroup size", "max workgroup count", "binding offsets",
        "timestamp resolution", "manifest", "library", "search paths", "cpu.json"}) {
    EXPECT_THAT(run.output, HasSubstr(text)) << text;
  }
  EXPECT_THAT(HalInfo("").output, ::testing::Not(HasSubstr("free memory")));
}

TEST(HalInfoTest, HelpAndBadFlags) {
  testing::CommandResult help = HalInfo("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* text : {"--json", "--verbose", "--selector SEL", "--driver-path DIR",
                           "--driver-path-only", "Exit codes"}) {
    EXPECT_THAT(help.output, HasSubstr(text)) << text;
  }
  testing::CommandResult bad = HalInfo("--no-such-flag");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("--no-such-flag"));
}

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

TEST(HalInfoPoolTest, PoolPathThatIsNoRegularFileExitsOne) {
  testing::TestFolder folder;
  for (const testing::HostileFile& file :
       testing::MakeHostileFiles(folder, "pool.json", internal::kMaxJsonFileBytes)) {
    testing::CommandResult run = HalInfo("--pool " + file.path);
    EXPECT_EQ(run.exit_code, 1) << file.kind << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("pool file " + file.path + " " + file.refusal)) << file.kind;
  }
}

}  // namespace
}  // namespace hal
