// hal-cts --compare on reports hal-cts itself wrote: a real schema 2 report
// read back, a regression made by editing one result (exit 1, listed), the
// reverse run a fix (exit 0), and a malformed report refused (exit 2).
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

testing::CommandResult HalCts(const std::string& args) {
  return testing::RunCommand("timeout 120 env -u HAL_DEVICE_SELECTOR " +
                             testing::BuiltProgram("hal-cts") + " " + args);
}

class HalCtsCompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    passing_ = folder_.path() + "/passing.json";
    const testing::CommandResult run = HalCts(
        "--device cpu:0 --gtest_filter='Copy.HostToDeviceToHost/*:Copy.ZeroSizeIsANoOp/*' "
        "--report " +
        passing_);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    // The same run with one test failed.
    std::ifstream file(passing_);
    nlohmann::json report = nlohmann::json::parse(file);
    ASSERT_EQ(report["hal_cts_report"], 2);
    ASSERT_EQ(report["tests"].size(), 2u) << report;
    for (nlohmann::json& test : report["tests"]) {
      if (test["name"] == "Copy.HostToDeviceToHost/cpu_0") {
        test["result"] = "failed";
        test["message"] = "copy_test.cc:34: byte 7 differs";
      }
    }
    failing_ = folder_.Write("failing.json", report.dump());
  }
  testing::TestFolder folder_;
  std::string passing_, failing_;
};

TEST_F(HalCtsCompareTest, RegressionIsListedAndExitsOne) {
  const testing::CommandResult run = HalCts("--compare " + passing_ + " " + failing_);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("Regressions (1):\n  Copy.HostToDeviceToHost/cpu_0 [cpu:0]: "
                                    "passed -> failed: copy_test.cc:34: byte 7 differs\n"));
  EXPECT_THAT(run.output, HasSubstr("1 regressions, 0 fixes, 0 appeared, 0 disappeared"));
}

TEST_F(HalCtsCompareTest, FixExitsZero) {
  const testing::CommandResult run = HalCts("--compare " + failing_ + " " + passing_);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("Fixes (1):\n  Copy.HostToDeviceToHost/cpu_0 [cpu:0]: "
                                    "failed -> passed\n"));
}

TEST_F(HalCtsCompareTest, MalformedReportExitsTwoNamingTheFile) {
  const std::string malformed = folder_.Write("malformed.json", R"({"hal_cts_report": 2})");
  const testing::CommandResult run = HalCts("--compare " + passing_ + " " + malformed);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr(malformed));
}

}  // namespace
}  // namespace hal
