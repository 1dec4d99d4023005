// hal-cts's default mode (docs/cts.md, "Crashes and hangs"): this process
// loads no driver. A child in list mode names the devices and the tests; the
// tests then run in groups (a suite on a device), each group in a child
// process of its own with a deadline per test, up to --jobs groups at once.
// A crash or hang is recorded against the test that was running and the
// group's remaining tests go on in a fresh child.
#ifndef HAL_CONFORMANCE_RUNNER_RUNNER_H_
#define HAL_CONFORMANCE_RUNNER_RUNNER_H_

#include <vector>

#include "conformance/cts_options.h"
#include "conformance/report.h"

namespace hal::cts {

struct RunnerResult {
  // The devices and every test's record, in the order GoogleTest lists the
  // tests (failures outside tests after them). `report.error` is set when the
  // suite could not start, or when a signal stopped the run (the records
  // then cover the tests finished by then).
  Report report;
  bool setup_failed = false;
  int stopped_by_signal = 0;  // SIGINT or SIGTERM, 0 when the run completed
};

RunnerResult RunInChildProcesses(const CommandLine& command_line);

// "hal-cts: testing cpu:0: <name> (<vendor>), driver cpu 0.1.0, ABI 2.0, uuid ..."
// per device, before the tests run (in either mode).
void PrintDevicesUnderTest(const std::vector<DeviceRecord>& devices);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_RUNNER_H_
