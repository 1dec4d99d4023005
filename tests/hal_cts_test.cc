// hal-cts as a vendor runs it with an expected-failures file: the named test
// is skipped as a known failure on the named device only, verify mode fails
// once it passes and says which entry to remove, and a bad file stops the
// suite before any test (exit 2).
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "runtime/file_reading.h"
#include "tests/hostile_files.h"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

// hal-cts on cpu:0 alone, on the Copy tests, with the user's selector unset.
testing::CommandResult HalCts(const std::string& args) {
  return testing::RunCommand("timeout 60 env -u HAL_DEVICE_SELECTOR " +
                             testing::BuiltProgram("hal-cts") +
                             " --device cpu:0 --gtest_filter='Copy.*' " + args);
}

nlohmann::json ReadReport(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

class HalCtsExpectedFailuresTest : public ::testing::Test {
 protected:
  std::string WriteEntries(const std::string& entries) {
    return folder_.Write("expected.json", R"({"expected_failures": [)" + entries + "]}");
  }
  testing::TestFolder folder_;
};

TEST_F(HalCtsExpectedFailuresTest, NamedTestIsAKnownFailureOnTheNamedDriverOnly) {
  const std::string file = WriteEntries(
      R"({"test": "Copy.ZeroSizeIsANoOp", "driver": "cpu", "reason": "tracked as bug 7"},)"
      R"({"test": "Copy.*", "driver": "vulkan", "reason": "not this device"})");
  const std::string report = folder_.path() + "/report.json";
  testing::CommandResult run = HalCts("--expected-failures " + file + " --report " + report);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("1 known failure"));
  const nlohmann::json json = ReadReport(report);
  ASSERT_FALSE(json.is_discarded()) << run.output;
  int known = 0, passed = 0;
  for (const nlohmann::json& test : json["tests"]) {
    if (test["name"] == "Copy.ZeroSizeIsANoOp/cpu_0") {
      EXPECT_EQ(test["result"], "skipped");
      EXPECT_EQ(test["skip_kind"], "known_failure");
      EXPECT_THAT(test["message"].get<std::string>(), HasSubstr("tracked as bug 7"));
      ++known;
    } else if (test["result"] == "passed") {
      ++passed;
    }
  }
  EXPECT_EQ(known, 1);
  EXPECT_GT(passed, 3) << "the other Copy tests ran";
  EXPECT_EQ(json["summary"]["skipped_known_failure"], 1);
}

TEST_F(HalCtsExpectedFailuresTest, VerifyModeFailsAnEntryThatNowPassesNamingIt) {
  const std::string file = WriteEntries(
      R"({"test": "Copy.ZeroSizeIsANoOp", "driver": "cpu", "reason": "tracked as bug 7"})");
  testing::CommandResult run = HalCts("--expected-failures " + file + " --verify-known-failures");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("known failure now passes: \"tracked as bug 7\"; remove "
                                    "entry 1 (\"Copy.ZeroSizeIsANoOp\") from " +
                                    file));
}

TEST_F(HalCtsExpectedFailuresTest, MalformedFileStopsTheSuiteBeforeAnyTest) {
  const std::string file = WriteEntries(R"({"test": "Copy.*"})");
  testing::CommandResult run = HalCts("--expected-failures " + file);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr("entry 1 lacks \"reason\""));
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("[ RUN")));

  testing::CommandResult missing = HalCts("--expected-failures " + folder_.path() + "/none.json");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("cannot open expected failures " + folder_.path() +
                                        "/none.json: No such file"));
}

// Every file hal-cts reads is refused at once when it is no regular file or
// too large; a FIFO used to block the suite forever ("timeout" turns a hang
// into exit 124 and a failed test).
TEST_F(HalCtsExpectedFailuresTest, FilesThatAreNotRegularStopTheSuiteNamingWhy) {
  const std::pair<const char*, uint64_t> flags[] = {
      {"--kernels", internal::kMaxBundleFileBytes},
      {"--expected-failures", internal::kMaxJsonFileBytes}};
  for (const auto& [flag, limit] : flags) {
    for (const testing::HostileFile& file : testing::MakeHostileFiles(folder_, flag + 2, limit)) {
      testing::CommandResult run = HalCts(std::string(flag) + " " + file.path);
      EXPECT_EQ(run.exit_code, 2) << flag << " " << file.kind << "\n" << run.output;
      EXPECT_THAT(run.output, HasSubstr(file.path + " " + file.refusal))
          << flag << " " << file.kind;
      EXPECT_THAT(run.output, ::testing::Not(HasSubstr("[ RUN"))) << flag << " " << file.kind;
    }
  }
}

TEST_F(HalCtsExpectedFailuresTest, UnwritableReportOrJunitFileStopsTheSuiteBeforeAnyTest) {
  // A path under a regular file cannot be created, even by root.
  const std::string blocked = folder_.Write("plain", "") + "/report";
  for (const char* flag : {"--report", "--junit"}) {
    testing::CommandResult run = HalCts(std::string(flag) + " " + blocked);
    EXPECT_EQ(run.exit_code, 2) << flag << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(" report to " + blocked + ": Not a directory")) << flag;
    EXPECT_THAT(run.output, ::testing::Not(HasSubstr("[ RUN"))) << flag;
  }
}

TEST(HalCtsTest, DeviceThatMatchesNothingIsExplained) {
  testing::CommandResult run =
      testing::RunCommand("timeout 60 env -u HAL_DEVICE_SELECTOR " +
                          testing::BuiltProgram("hal-cts") + " --device nosuchdriver:0");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr("--device term \"nosuchdriver:0\" matches no device: no "
                                    "driver \"nosuchdriver\" has a device; the devices found are "
                                    "cpu:0"));
}

}  // namespace
}  // namespace hal
