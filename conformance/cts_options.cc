#include "conformance/cts_options.h"

#include <algorithm>
#include <cmath>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "conformance/runner/child_protocol.h"
#include "hal/kernel_bundle.h"
#include "hal/status_macros.h"

namespace hal::cts {
namespace {

constexpr char kDescription[] =
    "hal-cts: the hal conformance suite. Runs every test on every device the runtime finds "
    "(narrowed by HAL_DEVICE_SELECTOR, --driver and --device), sharing one device context per "
    "device, and reports passed, failed, crashed, timed out and skipped tests (unsupported or "
    "known failure). The tests run in child processes, each on one device, so that a test "
    "that crashes or hangs is recorded as such and the run goes on.";

constexpr char kFooter[] =
    "Environment: HAL_DEVICE_SELECTOR (e.g. \"cpu:0\", \"!cpu\") selects devices as for every "
    "hal program; HAL_DRIVER_PATH adds folders of driver manifests.\n"
    "GoogleTest's flags (--gtest_filter=PATTERN, --gtest_repeat=N, --gtest_list_tests, ...) "
    "pass through to GoogleTest; its usage follows.\n"
    "Exit status: 0 when every test passed or was skipped, 1 when a test failed, crashed or "
    "timed out, 2 when the suite could not start (bad flags, no device, unreadable kernel "
    "bundle), 128+N when signal N (SIGINT, SIGTERM) stopped the run. With --compare: 0 without "
    "regression, 1 with one, 2 for an unreadable report.";

// CLI11 reads the flags' values into these; IfGiven then tells a flag left
// out from one given an empty value.
struct RawFlags {
  std::string driver, device, kernels, report, junit, expected_failures;
  std::string jobs, test_timeout, child_events_fd, child_list_fd;
  std::vector<std::string> compare;
};

void AddFlags(CLI::App& app, CtsOptions& options, RawFlags& raw) {
  app.description(kDescription);
  app.footer(kFooter);
  app.set_help_flag("-h,--help", "Print this help, then GoogleTest's, and exit");
  app.add_option("--driver", raw.driver,
                 "Test only the devices of this driver (a name as hal-info lists it: cpu, "
                 "vulkan, cuda, ...)")
      ->option_text("NAME");
  app.add_option("--device", raw.device,
                 "Test only the devices this id or selector names: an id (cpu:0), a UUID "
                 "selector (cpu:<uuid>, printed by hal-info) or any HAL_DEVICE_SELECTOR term "
                 "list")
      ->option_text("ID_OR_SELECTOR");
  app.add_option("--kernels", raw.kernels,
                 "Standard kernel bundle to dispatch (default: <program folder>/../share/hal/"
                 "kernels/standard.halb)")
      ->option_text("FILE");
  app.add_option("--report", raw.report,
                 "Write the JSON report (devices, every test's result, summary, verdict) to FILE")
      ->option_text("FILE");
  app.add_option("--junit", raw.junit, "Write a JUnit XML report to FILE")->option_text("FILE");
  app.add_option("--expected-failures", raw.expected_failures,
                 "Known failures kept in a JSON file (test pattern, driver and device regexes, "
                 "reason; docs/cts.md): skipped as known failures like marks in the source")
      ->option_text("FILE");
  app.add_flag("--verify-known-failures", options.verify_known_failures,
               "Run the tests marked as known failures (in the source or the expected-failures "
               "file) instead of skipping them; fail on any that now passes");
  app.add_flag("--allow-no-devices", options.allow_no_devices,
               "Succeed when no device is selected instead of failing");
  app.add_option("--jobs", raw.jobs,
                 "Run up to N child processes at once, each running suites of one device; "
                 "suites that need their device alone still run alone on it (default 1)")
      ->option_text("N");
  app.add_option("--test-timeout", raw.test_timeout,
                 "A test still running after SECONDS is recorded as timed out, its child process "
                 "is killed and the group's remaining tests go on in a fresh one (default 120)")
      ->option_text("SECONDS");
  app.add_flag("--no-fork", options.no_fork,
               "Run every test in this process, as one GoogleTest run (for a debugger); a crash or "
               "hang then ends the run");
  app.add_flag("--coverage", options.coverage,
               "Print the coverage table (driver entry points and outcomes, and the tests that "
               "exercise them) as Markdown and exit");
  app.add_option("--compare", raw.compare,
                 "Compare two JSON reports and print what changed, regressions first; exit 1 on "
                 "a regression")
      ->expected(2)
      ->option_text("A.json B.json");
  // Hidden (no group): how the runner starts its children.
  app.add_option(kChildEventsFlag, raw.child_events_fd)->group("");
  app.add_option(kChildListFlag, raw.child_list_fd)->group("");
}

std::optional<std::string> IfGiven(const CLI::App& app, const char* flag, std::string value) {
  if (app.count(flag) == 0) return std::nullopt;
  return value;
}

absl::Status BadValue(absl::string_view flag, absl::string_view wanted, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat("hal-cts: ", flag, " takes ", wanted, ", not \"",
                                                 value, "\" (run hal-cts --help for the flags)"));
}

absl::StatusOr<int> ParseCount(absl::string_view flag, const std::string& value, int minimum) {
  int count = 0;
  if (!absl::SimpleAtoi(value, &count) || count < minimum) {
    return BadValue(flag, absl::StrCat("a whole number of at least ", minimum), value);
  }
  return count;
}

absl::StatusOr<double> ParseSeconds(absl::string_view flag, const std::string& value) {
  double seconds = 0;
  if (!absl::SimpleAtod(value, &seconds) || !std::isfinite(seconds) || seconds <= 0) {
    return BadValue(flag, "a number of seconds greater than 0", value);
  }
  return seconds;
}

// Reads the flags CLI11 kept as text into `options`.
absl::Status ReadRawFlags(const CLI::App& app, const RawFlags& raw, CtsOptions& options) {
  options.driver = IfGiven(app, "--driver", raw.driver);
  options.device = IfGiven(app, "--device", raw.device);
  options.report_path = IfGiven(app, "--report", raw.report);
  options.junit_path = IfGiven(app, "--junit", raw.junit);
  options.expected_failures_path = IfGiven(app, "--expected-failures", raw.expected_failures);
  options.kernels_path =
      app.count("--kernels") > 0 ? raw.kernels : hal::KernelBundle::StandardBundlePath();
  if (app.count("--jobs") > 0) {
    HAL_ASSIGN_OR_RETURN(options.jobs, ParseCount("--jobs", raw.jobs, 1));
  }
  if (app.count("--test-timeout") > 0) {
    HAL_ASSIGN_OR_RETURN(options.test_timeout_seconds,
                         ParseSeconds("--test-timeout", raw.test_timeout));
  }
  if (raw.compare.size() == 2) options.compare.emplace(raw.compare[0], raw.compare[1]);
  if (app.count(kChildEventsFlag) > 0) {
    HAL_ASSIGN_OR_RETURN(options.child_events_fd,
                         ParseCount(kChildEventsFlag, raw.child_events_fd, 0));
  }
  if (app.count(kChildListFlag) > 0) {
    HAL_ASSIGN_OR_RETURN(options.child_list_fd, ParseCount(kChildListFlag, raw.child_list_fd, 0));
  }
  return absl::OkStatus();
}

bool IsGTestFlag(absl::string_view arg) {
  return absl::StartsWith(arg, "--gtest_") || absl::StartsWith(arg, "-gtest_");
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv) {
  CommandLine command_line;
  command_line.gtest_args.push_back(argc > 0 ? argv[0] : "hal-cts");
  std::vector<std::string> own_args;
  for (int i = 1; i < argc; ++i) {
    (IsGTestFlag(argv[i]) ? command_line.gtest_args : own_args).push_back(argv[i]);
  }
  std::reverse(own_args.begin(), own_args.end());  // CLI11 takes its arguments last first

  CtsOptions& options = command_line.options;
  CLI::App app("", "hal-cts");
  RawFlags raw;
  AddFlags(app, options, raw);
  try {
    app.parse(own_args);
  } catch (const CLI::CallForHelp&) {
    options.help = true;
    return command_line;
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("hal-cts: ", error.what(), " (run hal-cts --help for the flags)"));
  }
  HAL_RETURN_IF_ERROR(ReadRawFlags(app, raw, options));
  return command_line;
}

std::string CtsUsage() {
  CLI::App app("", "hal-cts");
  CtsOptions options;
  RawFlags raw;
  AddFlags(app, options, raw);
  return app.help();
}

}  // namespace hal::cts
