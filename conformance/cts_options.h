// hal-cts's own command line. GoogleTest's flags (--gtest_*) are split off
// first and passed through to GoogleTest untouched.
#ifndef HAL_CONFORMANCE_CTS_OPTIONS_H_
#define HAL_CONFORMANCE_CTS_OPTIONS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace hal::cts {

struct CtsOptions {
  std::optional<std::string> driver;       // --driver NAME: only this driver's devices
  std::optional<std::string> device;       // --device ID_OR_SELECTOR ("cpu:0", "cpu:<uuid>")
  std::string kernels_path;                // --kernels FILE, or the installed standard bundle
  std::optional<std::string> report_path;  // --report FILE (JSON)
  std::optional<std::string> junit_path;   // --junit FILE (JUnit XML, by GoogleTest)
  std::optional<std::string> expected_failures_path;  // --expected-failures FILE
  bool verify_known_failures = false;                 // run tests marked as known failures
  bool allow_no_devices = false;                      // no device is not a failure
  bool help = false;                                  // --help: print usage and exit 0

  // The runner (docs/cts.md, "Crashes and hangs").
  int jobs = 1;                       // --jobs N: groups run at once in child processes
  double test_timeout_seconds = 120;  // --test-timeout SECONDS: a test's deadline
  bool no_fork = false;               // --no-fork: every test in this process
  // Other things hal-cts does instead of running the suite.
  bool coverage = false;                                   // --coverage: print the table
  std::optional<std::pair<std::string, std::string>> compare;  // --compare A.json B.json
  // Hidden: this process is a child of the runner, writing the child protocol
  // (conformance/runner/child_protocol.h) on this fd, running tests or listing them.
  std::optional<int> child_events_fd;
  std::optional<int> child_list_fd;
};

struct CommandLine {
  CtsOptions options;
  // argv[0] followed by the --gtest_* arguments, in their order.
  std::vector<std::string> gtest_args;
};

// InvalidArgument for an unknown flag or a flag missing its value, with
// CLI11's explanation, or for a bad value of --jobs or --test-timeout, naming
// the flag.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv);

// The usage of hal-cts's own flags; GoogleTest prints its own after it.
std::string CtsUsage();

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_CTS_OPTIONS_H_
