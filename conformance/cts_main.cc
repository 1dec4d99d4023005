// hal-cts's entry point: discovers the devices before GoogleTest expands the
// parameterized tests over them, runs the tests, and writes the report.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conformance/cts_environment.h"
#include "conformance/cts_options.h"
#include "conformance/report.h"
#include "conformance/report_listener.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitTestsFailed = 1;
constexpr int kExitSetupFailed = 2;

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

void PrintDevicesUnderTest(const std::vector<DeviceRecord>& devices) {
  for (const DeviceRecord& device : devices) {
    std::cout << "hal-cts: testing " << device.id << ": " << device.name << " (" << device.vendor
              << "), driver " << device.driver << " " << device.driver_version << ", ABI "
              << device.abi_version << ", uuid " << device.uuid << "\n";
  }
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
    testing::InitGoogleTest(gtest_help.argc(), gtest_help.argv());  // prints GoogleTest's usage
    return kExitSuccess;
  }

  for (const auto& [path, what] : {std::pair{options.report_path, "JSON report"},
                                   std::pair{options.junit_path, "JUnit report"}}) {
    if (!path) continue;
    if (absl::Status writable = CheckWritable(*path, what); !writable.ok()) {
      std::cerr << "hal-cts: " << writable.message() << "\n";
      return kExitSetupFailed;
    }
  }
  Report report;
  absl::StatusOr<std::unique_ptr<CtsEnvironment>> environment = CtsEnvironment::Create(options);
  if (!environment.ok()) {
    return FailSetup(options, std::move(report), std::string(environment.status().message()));
  }
  for (const CtsDevice& device : (*environment)->devices()) {
    report.devices.push_back(DescribeDevice(device));
  }
  if (report.devices.empty() && !options.allow_no_devices) {
    return FailSetup(options, std::move(report),
                     NoDeviceMessage(options, (*environment)->runtime()));
  }

  // The tests are instantiated over the devices inside InitGoogleTest, so the
  // environment is installed first.
  CtsEnvironment::Install(*std::move(environment));
  if (options.junit_path) GTEST_FLAG_SET(output, absl::StrCat("xml:", *options.junit_path));
  auto listener = std::make_unique<ReportListener>();
  const ReportListener& results = *listener;
  testing::UnitTest::GetInstance()->listeners().Append(listener.release());  // GoogleTest owns it
  ArgvForGTest gtest_args(command_line->gtest_args);
  testing::InitGoogleTest(gtest_args.argc(), gtest_args.argv());

  const bool listing_only = GTEST_FLAG_GET(list_tests);
  if (!listing_only) PrintDevicesUnderTest(report.devices);
  // The verdict comes from the listener's counts, not RUN_ALL_TESTS's result,
  // which also counts verified known failures that still fail.
  [[maybe_unused]] const int gtest_result = RUN_ALL_TESTS();
  report.tests = results.tests();
  CtsEnvironment::Get().Shutdown();

  if (options.report_path) {
    if (absl::Status status = WriteReport(*options.report_path, report); !status.ok()) {
      std::cerr << "hal-cts: " << status.message() << "\n";
      return kExitSetupFailed;
    }
  }
  if (listing_only) return kExitSuccess;
  std::cout << SummaryLine(report) << "\n";
  return report.summary().failed > 0 ? kExitTestsFailed : kExitSuccess;
}

}  // namespace
}  // namespace hal::cts

int main(int argc, char** argv) { return hal::cts::Run(argc, argv); }
