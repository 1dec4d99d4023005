// hal-cts's runner as a user meets it: the tests run in child processes yet
// the run lists, records and judges exactly what --no-fork does, --jobs 2
// changes nothing but the time, a signal still leaves a (partial, marked)
// report, bad runner flags exit 2 naming the flag, --compare and --coverage
// run instead of the suite, and --help and docs/cts.md name the same flags. (Crashes and hangs: hal_cts_broken_driver_test.cc,
// on a driver built to crash and hang; the protocol and a group's
// bookkeeping: conformance/runner/*_test.cc.)
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/gtest_listing.h"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Suites every driver passes quickly, incl. one with a case per parameter.
constexpr char kFilter[] = "--gtest_filter='Copy.*:Fill.*:Map.*:Enumeration.*'";

std::string HalCtsCommand(const std::string& args) {
  return "env -u HAL_DEVICE_SELECTOR " + testing::BuiltProgram("hal-cts") + " --device cpu:0 " +
         kFilter + " " + args;
}

testing::CommandResult HalCts(const std::string& args) {
  return testing::RunCommand("timeout 120 " + HalCtsCommand(args));
}

std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

nlohmann::json ReadReport(const std::string& path) {
  return nlohmann::json::parse(ReadText(path), nullptr, /*allow_exceptions=*/false);
}

// Test name -> result, of a report's tests.
std::map<std::string, std::string> Results(const nlohmann::json& report) {
  std::map<std::string, std::string> results;
  for (const nlohmann::json& test : report["tests"]) {
    results[test["name"].get<std::string>()] = test["result"].get<std::string>();
  }
  return results;
}

class HalCtsRunnerTest : public ::testing::Test {
 protected:
  testing::TestFolder folder_;
};

TEST_F(HalCtsRunnerTest, RecordsEveryTestNoForkListsWithItsGroupAndVerdict) {
  const std::string report_path = folder_.path() + "/report.json";
  testing::CommandResult run = HalCts("--report " + report_path);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("hal-cts: testing cpu:0"));
  const nlohmann::json report = ReadReport(report_path);
  ASSERT_FALSE(report.is_discarded()) << run.output;

  testing::CommandResult listing = HalCts("--no-fork --gtest_list_tests");
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  const std::set<std::string> listed = testing::ListedTests(listing.output);
  ASSERT_GT(listed.size(), 20u) << listing.output;
  std::set<std::string> recorded;
  for (const nlohmann::json& test : report["tests"]) {
    const std::string name = test["name"];
    EXPECT_TRUE(recorded.insert(name).second) << name << " recorded twice";
    EXPECT_EQ(test["device"], "cpu:0") << name;
    const std::string suite = name.substr(0, name.find('.'));
    EXPECT_EQ(test["group"], suite + "/cpu_0") << name;
  }
  EXPECT_EQ(recorded, listed);
  EXPECT_EQ(report["verdict"], "conformant");
  EXPECT_EQ(report["settings"]["jobs"], 1);
  EXPECT_EQ(report["settings"]["test_timeout_seconds"], 120.0);
}

TEST_F(HalCtsRunnerTest, JobsTwoGivesTheSameResultsAsOneAndAsNoFork) {
  std::map<std::string, std::map<std::string, std::string>> results;
  for (const char* mode : {"--jobs 1", "--jobs 2", "--no-fork"}) {
    const std::string report_path = folder_.path() + "/report.json";
    testing::CommandResult run = HalCts(std::string(mode) + " --report " + report_path);
    EXPECT_EQ(run.exit_code, 0) << mode << "\n" << run.output;
    const nlohmann::json report = ReadReport(report_path);
    ASSERT_FALSE(report.is_discarded()) << mode << "\n" << run.output;
    results[mode] = Results(report);
  }
  EXPECT_FALSE(results["--jobs 1"].empty());
  EXPECT_EQ(results["--jobs 2"], results["--jobs 1"]);
  EXPECT_EQ(results["--no-fork"], results["--jobs 1"]);
}

TEST_F(HalCtsRunnerTest, SignalStopsTheChildrenAndLeavesAPartialMarkedReport) {
  const std::string report_path = folder_.path() + "/report.json";
  // A copy of the bundle under this test's folder marks this run's children
  // (their command lines name it) apart from those of other hal-cts runs.
  const std::string kernels = folder_.path() + "/kernels.halb";
  // The children's command lines, not this shell's (which holds "[e]").
  const std::string children = "'cts-child-[e]vents-fd=3 --kernels " + kernels + "'";
  // The whole suite on cpu:0 runs for seconds; SIGTERM comes while it runs.
  testing::CommandResult run = testing::RunCommand(
      "cp " + std::string(HAL_TEST_BINARY_DIR) + "/share/hal/kernels/standard.halb " + kernels +
      "; (exec env -u HAL_DEVICE_SELECTOR " + testing::BuiltProgram("hal-cts") +
      " --device cpu:0 --kernels " + kernels + " --report " + report_path +
      ") & pid=$!; (sleep 60; kill -KILL $pid) >/dev/null 2>&1 & watchdog=$!; sleep 1; " +
      "kill -TERM $pid; wait $pid; echo \"exit=$?\"; kill $watchdog; sleep 0.2; echo \"children=$(pgrep -f " + children +
      " | wc -l)\"");
  EXPECT_THAT(run.output, HasSubstr("exit=143"));
  EXPECT_THAT(run.output, HasSubstr("stopped by SIGTERM"));
  EXPECT_THAT(run.output, HasSubstr("children=0")) << "no child outlives the run";
  const nlohmann::json report = ReadReport(report_path);
  ASSERT_FALSE(report.is_discarded()) << run.output;
  EXPECT_THAT(report["error"].get<std::string>(), HasSubstr("this report is partial"));
  EXPECT_EQ(report["verdict"], "not conformant");
}

// --compare and --coverage do their job instead of running the suite.
TEST_F(HalCtsRunnerTest, CompareAndCoverageRunInsteadOfTheSuite) {
  const std::string report_path = folder_.path() + "/report.json";
  ASSERT_EQ(HalCts("--report " + report_path).exit_code, 0);
  const std::string program = "timeout 60 " + testing::BuiltProgram("hal-cts");
  testing::CommandResult same =
      testing::RunCommand(program + " --compare " + report_path + " " + report_path);
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_THAT(same.output, HasSubstr("0 regressions"));
  EXPECT_THAT(same.output, Not(HasSubstr("[ RUN")));
  testing::CommandResult missing = testing::RunCommand(program + " --compare " + report_path +
                                                       " " + folder_.path() + "/none.json");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  testing::CommandResult coverage = testing::RunCommand(program + " --coverage");
  EXPECT_EQ(coverage.exit_code, 0) << coverage.output;
  EXPECT_THAT(coverage.output, ::testing::StartsWith("| Entry point | Outcome | Tests |"));
}

TEST(HalCtsRunnerFlagsTest, BadRunnerFlagValuesExitTwoNamingTheFlag) {
  const std::pair<const char*, const char*> bad[] = {
      {"--jobs", "0"},          {"--jobs", "-3"},           {"--jobs", "two"},
      {"--jobs", "1.5"},        {"--test-timeout", "-1"},   {"--test-timeout", "0"},
      {"--test-timeout", "abc"}, {"--test-timeout", "inf"}, {"--test-timeout", "nan"}};
  for (const auto& [flag, value] : bad) {
    testing::CommandResult run =
        testing::RunCommand("timeout 60 " + testing::BuiltProgram("hal-cts") + " " + flag +
                            " " + value);
    EXPECT_EQ(run.exit_code, 2) << flag << " " << value << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(std::string(flag) + " takes ")) << flag << " " << value;
    EXPECT_THAT(run.output, Not(HasSubstr("[ RUN"))) << flag << " " << value;
  }
}

// Every flag --help shows is in docs/cts.md's flag table, and the hidden
// flags of the runner's children are in neither.
TEST(HalCtsRunnerFlagsTest, HelpAndDocsNameTheSameFlags) {
  testing::CommandResult help =
      testing::RunCommand("timeout 60 " + testing::BuiltProgram("hal-cts") + " --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  const std::string own_help = help.output.substr(0, help.output.find("This program contains"));
  const std::string docs = ReadText(std::string(HAL_TEST_SOURCE_DIR) + "/docs/cts.md");
  const std::string flag_table =
      docs.substr(docs.find("### Flags"), docs.find("### Exit status") - docs.find("### Flags"));
  std::set<std::string> help_flags, doc_flags;
  const std::regex flag("--[a-z][a-z-]*[a-z]");
  for (auto [text, flags] : {std::pair{&own_help, &help_flags}, std::pair{&flag_table, &doc_flags}}) {
    for (std::sregex_iterator it(text->begin(), text->end(), flag), end; it != end; ++it) {
      flags->insert(it->str());
    }
  }
  for (const char* runner_flag : {"--jobs", "--test-timeout", "--no-fork", "--coverage",
                                  "--compare"}) {
    EXPECT_TRUE(help_flags.count(runner_flag)) << runner_flag;
  }
  EXPECT_EQ(help_flags, doc_flags);
  EXPECT_THAT(help.output, Not(HasSubstr("cts-child")));
  EXPECT_THAT(docs, Not(HasSubstr("cts-child")));
}

}  // namespace
}  // namespace hal
