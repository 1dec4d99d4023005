// hal-cts's entry point. By default this process loads no driver: it runs
// the tests in child processes of this same binary (conformance/runner/),
// which come back here with a hidden flag to list the tests or run a group of
// them. --no-fork runs everything here, as one GoogleTest run.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conformance/coverage/coverage.h"
#include "conformance/cts_environment.h"
#include "conformance/cts_options.h"
#include "conformance/report.h"
#include "conformance/report_listener.h"
#include "conformance/reporting/compare.h"
#include "conformance/reporting/junit.h"
#include "conformance/reporting/summary.h"
#include "conformance/runner/child_mode.h"
#include "conformance/runner/runner.h"
#include "gtest/gtest.h"
#include "hal/status_macros.h"

namespace hal::cts {
namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitTestsFailed = 1;
constexpr int kExitSetupFailed = 2;
// A run stopped by signal N exits as a shell reports a process it killed.
constexpr int kExitSignalBase = 128;

// GoogleTest parses (and may rewrite) a mutable argc/argv.
class ArgvForGTest {
 public:
  explicit ArgvForGTest(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& arg : args_) pointers_.push_back(arg.data());
    pointers_.push_back(nullptr);
    argc_ = static_cast<int>(args_.size());
  }
  int* argc() { return &argc_; }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
  int argc_ = 0;
};

// Reports why the suite could not run, in the report too when one was asked
// for, so that a vendor's pipeline finds a verdict either way.
int FailSetup(const CtsOptions& options, Report report, const std::string& why) {
  std::cerr << "hal-cts: " << why << "\n";
  if (options.report_path) {
    report.error = why;
    if (absl::Status status = WriteReport(*options.report_path, report); !status.ok()) {
      std::cerr << "hal-cts: " << status.message() << "\n";
    }
  }
  return kExitSetupFailed;
}

// Why --device selected nothing of what HAL_DEVICE_SELECTOR left.
std::vector<std::string> UnmatchedDeviceTerms(const CtsOptions& options, const Runtime& runtime) {
  auto selector = options.device ? DeviceSelector::Parse(*options.device)
                                 : absl::StatusOr<DeviceSelector>(DeviceSelector());
  if (!selector.ok()) return {};
  std::vector<DeviceSelector::Candidate> found;
  for (const PhysicalDevice* device : runtime.devices()) {
    found.push_back({device->driver_name(), device->index(), device->properties().uuid});
  }
  return selector->ExplainUnmatched(found);
}

std::string NoDeviceMessage(const CtsOptions& options, const Runtime& runtime) {
  std::string message = "no device to test.";
  absl::StrAppend(&message, " HAL_DEVICE_SELECTOR is ",
                  runtime.selector().text().empty()
                      ? std::string("unset (all devices)")
                      : absl::StrCat("\"", runtime.selector().text(), "\""));
  if (options.driver) absl::StrAppend(&message, "; --driver ", *options.driver);
  if (options.device) absl::StrAppend(&message, "; --device ", *options.device);
  for (const std::string& why : runtime.unmatched_selector_terms()) {
    absl::StrAppend(&message, ". Selector term ", why);
  }
  for (const std::string& why : UnmatchedDeviceTerms(options, runtime)) {
    absl::StrAppend(&message, ". --device term ", why);
  }
  absl::StrAppend(&message, ". Drivers found: ", DescribeDrivers(runtime),
                  ". Pass --allow-no-devices to accept a run without devices.");
  return message;
}

// Loads the drivers, opens the devices and installs the environment in this
// process: the devices under test, or why the suite cannot start.
absl::StatusOr<std::vector<DeviceRecord>> SetUpDevicesHere(const CtsOptions& options) {
  absl::StatusOr<std::unique_ptr<CtsEnvironment>> environment = CtsEnvironment::Create(options);
  if (!environment.ok()) return environment.status();
  std::vector<DeviceRecord> devices;
  for (const CtsDevice& device : (*environment)->devices()) {
    devices.push_back(DescribeDevice(device));
  }
  if (devices.empty() && !options.allow_no_devices) {
    return absl::NotFoundError(NoDeviceMessage(options, (*environment)->runtime()));
  }
  // The tests are instantiated over the devices inside InitGoogleTest, so the
  // environment is installed first.
  CtsEnvironment::Install(*std::move(environment));
  return devices;
}

// What the report says about how the suite ran, besides the tests.
absl::Status DescribeRun(const CtsOptions& options, Report& report) {
  report.settings.jobs = options.jobs;
  report.settings.test_timeout_seconds = options.test_timeout_seconds;
  report.settings.verify_known_failures = options.verify_known_failures;
  report.settings.no_fork = options.no_fork;
  if (options.expected_failures_path) {
    HAL_ASSIGN_OR_RETURN(report.expected_failures,
                         DescribeExpectedFailuresFile(*options.expected_failures_path));
  }
  return absl::OkStatus();
}

// Writes the reports asked for and prints the summary; the exit status of a
// run that completed.
int FinishRun(const CtsOptions& options, Report& report) {
  report.coverage = CoverageJson(report.tests);
  std::vector<absl::Status> written;
  if (options.report_path) written.push_back(WriteReport(*options.report_path, report));
  if (options.junit_path) written.push_back(WriteJUnit(*options.junit_path, report));
  PrintSummary(report, std::cout);
  for (const absl::Status& status : written) {
    if (!status.ok()) {
      std::cerr << "hal-cts: " << status.message() << "\n";
      return kExitSetupFailed;
    }
  }
  const Summary summary = report.summary();
  return summary.failed + summary.crashed + summary.timed_out > 0 ? kExitTestsFailed : kExitSuccess;
}

// --no-fork: the whole suite as one GoogleTest run in this process.
int RunHere(const CommandLine& command_line) {
  const CtsOptions& options = command_line.options;
  Report report;
  absl::StatusOr<std::vector<DeviceRecord>> devices = SetUpDevicesHere(options);
  const absl::Status started = devices.ok() ? DescribeRun(options, report) : devices.status();
  if (!started.ok()) return FailSetup(options, std::move(report), std::string(started.message()));
  report.devices = *std::move(devices);
  auto listener = std::make_unique<ReportListener>();
  const ReportListener& results = *listener;
  ::testing::UnitTest::GetInstance()->listeners().Append(listener.release());  // GoogleTest owns it
  ArgvForGTest gtest_args(command_line.gtest_args);
  ::testing::InitGoogleTest(gtest_args.argc(), gtest_args.argv());

  const bool listing_only = GTEST_FLAG_GET(list_tests);
  if (!listing_only) PrintDevicesUnderTest(report.devices);
  // The verdict comes from the listener's counts, not RUN_ALL_TESTS's result,
  // which also counts verified known failures that still fail.
  [[maybe_unused]] const int gtest_result = RUN_ALL_TESTS();
  report.tests = results.tests();
  CtsEnvironment::Get().Shutdown();
  if (listing_only) return kExitSuccess;
  return FinishRun(options, report);
}

// --no-fork, and GoogleTest flags that mean one GoogleTest run: listing the
// tests (which runs none) and repeating them.
bool RunsInOneProcess(const CommandLine& command_line) {
  if (command_line.options.no_fork) return true;
  for (const std::string& arg : command_line.gtest_args) {
    if (absl::StrContains(arg, "gtest_list_tests") || absl::StrContains(arg, "gtest_repeat")) {
      return true;
    }
  }
  return false;
}

// Starts a child of the runner: the devices opened here, GoogleTest
// initialized with the child's arguments; or the parent told why not.
absl::StatusOr<std::vector<DeviceRecord>> StartChild(const CommandLine& command_line, int fd) {
  BecomeRunnerChild(fd);
  absl::StatusOr<std::vector<DeviceRecord>> devices = SetUpDevicesHere(command_line.options);
  if (!devices.ok()) {
    WriteChildLine(fd, ChildEvent::Kind::kError, devices.status().message());
    return devices.status();
  }
  ArgvForGTest gtest_args(command_line.gtest_args);
  ::testing::InitGoogleTest(gtest_args.argc(), gtest_args.argv());
  return devices;
}

// A child of the runner running its group: the records go to the parent.
int RunAsChild(const CommandLine& command_line, int fd) {
  if (!StartChild(command_line, fd).ok()) return kExitSetupFailed;
  auto writer = std::make_unique<ChildEventWriter>(fd);
  const ChildEventWriter& results = *writer;
  ::testing::UnitTest::GetInstance()->listeners().Append(writer.release());  // GoogleTest owns it
  [[maybe_unused]] const int gtest_result = RUN_ALL_TESTS();
  CtsEnvironment::Get().Shutdown();
  for (const TestRecord& record : results.tests()) {
    if (record.outcome == TestOutcome::kFailed) return kExitTestsFailed;
  }
  return kExitSuccess;
}

// A child of the runner in list mode: the devices and the selected tests.
int ListAsChild(const CommandLine& command_line, int fd) {
  absl::StatusOr<std::vector<DeviceRecord>> devices = StartChild(command_line, fd);
  if (!devices.ok()) return kExitSetupFailed;
  // Selects the tests as a run would (filter, disabled tests), without
  // running them or the environment's set-up.
  GTEST_FLAG_SET(list_tests, true);
  [[maybe_unused]] const int gtest_result = RUN_ALL_TESTS();
  WriteListing(fd, *devices);
  CtsEnvironment::Get().Shutdown();
  return kExitSuccess;
}

// The default: the tests run in child processes (conformance/runner/).
int RunInChildren(const CommandLine& command_line) {
  const CtsOptions& options = command_line.options;
  RunnerResult result = RunInChildProcesses(command_line);
  if (!result.setup_failed) {
    if (absl::Status described = DescribeRun(options, result.report); !described.ok()) {
      result.setup_failed = true;
      result.report.error = std::string(described.message());
    }
  }
  if (result.setup_failed) {
    const std::string why = *result.report.error;
    return FailSetup(options, std::move(result.report), why);
  }
  const int status = FinishRun(options, result.report);
  if (result.stopped_by_signal != 0) {
    std::cerr << "hal-cts: " << *result.report.error << "\n";
    return kExitSignalBase + result.stopped_by_signal;
  }
  return status;
}

int Run(int argc, char** argv) {
  absl::StatusOr<CommandLine> command_line = ParseCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::cerr << command_line.status().message() << "\n";
    return kExitSetupFailed;
  }
  const CtsOptions& options = command_line->options;
  if (options.help) {
    std::cout << CtsUsage() << "\n";
    ArgvForGTest gtest_help({command_line->gtest_args.front(), "--help"});
    ::testing::InitGoogleTest(gtest_help.argc(), gtest_help.argv());  // prints GoogleTest's usage
    return kExitSuccess;
  }
  if (options.coverage) {
    std::cout << CoverageMarkdown();
    return kExitSuccess;
  }
  if (options.compare) {
    return RunCompare(options.compare->first, options.compare->second, std::cout, std::cerr);
  }
  if (options.child_events_fd) return RunAsChild(*command_line, *options.child_events_fd);
  if (options.child_list_fd) return ListAsChild(*command_line, *options.child_list_fd);

  for (const auto& [path, what] : {std::pair{options.report_path, "JSON report"},
                                   std::pair{options.junit_path, "JUnit report"}}) {
    if (!path) continue;
    if (absl::Status writable = CheckWritable(*path, what); !writable.ok()) {
      std::cerr << "hal-cts: " << writable.message() << "\n";
      return kExitSetupFailed;
    }
  }
  return RunsInOneProcess(*command_line) ? RunHere(*command_line) : RunInChildren(*command_line);
}

}  // namespace
}  // namespace hal::cts

int main(int argc, char** argv) { return hal::cts::Run(argc, argv); }
