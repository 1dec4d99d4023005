// hal-cts run against the deliberately broken driver (fake_drivers/broken_driver.cc:
// the CPU driver with event_timestamp_ns crashing, stream_query hanging and
// stream_copy_buffer corrupting a byte): the run survives all three and its
// report is complete, naming the crash's signal, the hang's deadline and the
// wrong data, while the tests that touch none of the three pass.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "runtime/file_reading.h"
#include "tests/gtest_listing.h"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

// The suites that reach the three broken entries, and one that reaches none;
// the rest of the suite would only make the run longer (it runs under the
// sanitizers too).
constexpr char kFilter[] = "Copy.*:Fill.*:QueueEvent.*:QueueQuery.*";

// hal-cts with only the broken driver's folder to find drivers in. A crash
// must reach the runner as the signal itself: the sanitizers' own SIGSEGV
// handlers (which would turn it into an exit status) are off.
std::string HalCtsOnBrokenDriver(const std::string& args) {
  return "timeout 300 env -u HAL_DEVICE_SELECTOR HAL_DRIVER_PATH=" HAL_TEST_BROKEN_DRIVER_DIR
         " ASAN_OPTIONS=\"$ASAN_OPTIONS:handle_segv=0\" "
         "TSAN_OPTIONS=\"$TSAN_OPTIONS:handle_segv=0\" " +
         testing::BuiltProgram("hal-cts") + " --device broken:0 --gtest_filter='" + kFilter + "' " +
         args;
}

TEST(HalCtsBrokenDriverTest, RunSurvivesCrashHangAndWrongDataWithACompleteReport) {
  const testing::TestFolder folder;
  const std::string report_path = folder.path() + "/R.json";
  const std::string junit_path = folder.path() + "/J.xml";

  const testing::CommandResult listing =
      testing::RunCommand(HalCtsOnBrokenDriver("--gtest_list_tests"));
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  const std::set<std::string> listed = testing::ListedTests(listing.output);
  ASSERT_GT(listed.size(), 20u) << listing.output;

  const testing::CommandResult run = testing::RunCommand(HalCtsOnBrokenDriver(
      "--test-timeout 5 --jobs 2 --report " + report_path + " --junit " + junit_path));
  EXPECT_EQ(run.exit_code, 1) << run.output;

  absl::StatusOr<std::string> text =
      internal::ReadRegularFile(report_path, uint64_t{64} << 20, "report");
  ASSERT_TRUE(text.ok()) << text.status() << "\n" << run.output;
  const nlohmann::json report = nlohmann::json::parse(*text, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << *text;
  EXPECT_EQ(report["hal_cts_report"], 2);
  EXPECT_EQ(report["verdict"], "not conformant");
  EXPECT_EQ(report["settings"]["jobs"], 2);
  EXPECT_EQ(report["settings"]["test_timeout_seconds"], 5.0);
  ASSERT_EQ(report["devices"].size(), 1u);
  EXPECT_EQ(report["devices"][0]["id"], "broken:0");
  EXPECT_EQ(report["devices"][0]["driver"], "broken");

  // Every listed test has exactly one result.
  std::map<std::string, nlohmann::json> results;
  for (const nlohmann::json& test : report["tests"]) {
    EXPECT_TRUE(results.emplace(test["name"].get<std::string>(), test).second)
        << "two results for " << test["name"];
  }
  for (const std::string& name : listed)
    EXPECT_TRUE(results.contains(name)) << "no result: " << name;

  auto result_of = [&](const std::string& name) {
    const auto found = results.find(name);
    return found == results.end() ? nlohmann::json() : found->second;
  };
  // event_timestamp_ns crashes.
  const nlohmann::json crashed = result_of("QueueEvent.EventCompletesAfterEarlierWork/broken_0");
  EXPECT_EQ(crashed["result"], "crashed") << crashed;
  EXPECT_THAT(crashed.value("message", ""), HasSubstr("SIGSEGV"));
  // stream_query hangs.
  const nlohmann::json timed_out = result_of("QueueQuery.IdleWhenNewAndAfterSynchronize/broken_0");
  EXPECT_EQ(timed_out["result"], "timed_out") << timed_out;
  EXPECT_THAT(timed_out.value("message", ""), HasSubstr("deadline"));
  // stream_copy_buffer corrupts the destination: the failure shows the bytes.
  const nlohmann::json failed = result_of("Copy.DeviceToDevice/broken_0");
  EXPECT_EQ(failed["result"], "failed") << failed;
  EXPECT_THAT(failed.value("message", ""), HasSubstr("read_back"));
  // Tests that touch none of the three pass.
  for (const char* name : {"Copy.HostToDeviceToHost/broken_0", "Copy.ZeroSizeIsANoOp/broken_0",
                           "Fill.RepeatsThePatternOverTheWholeBuffer/broken_0",
                           "Fill.AtOffsetsTouchesOnlyItsRange/broken_0"}) {
    EXPECT_EQ(result_of(name)["result"], "passed") << name << ": " << result_of(name);
  }

  absl::StatusOr<std::string> junit =
      internal::ReadRegularFile(junit_path, uint64_t{64} << 20, "JUnit XML");
  ASSERT_TRUE(junit.ok()) << junit.status();
  EXPECT_THAT(*junit, HasSubstr("<failure type=\"crashed\""));
  EXPECT_THAT(*junit, HasSubstr("<failure type=\"timed_out\""));
  EXPECT_THAT(*junit, HasSubstr("<testcase name=\"DeviceToDevice/broken_0\" classname=\"Copy\""));
}

}  // namespace
}  // namespace hal
