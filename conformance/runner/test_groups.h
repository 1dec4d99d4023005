// How the runner splits the listed tests into groups, the tests of one suite
// on one device ("Copy/cpu_0"), and the groups into batches, one child process
// per batch: every child loads every driver (a few hundred ms with lavapipe),
// so a run starts few of them, yet as many as --jobs can use.
#ifndef HAL_CONFORMANCE_RUNNER_TEST_GROUPS_H_
#define HAL_CONFORMANCE_RUNNER_TEST_GROUPS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "conformance/report.h"

namespace hal::cts {

struct TestGroup {
  // "Copy/cpu_0"; the suite alone for tests without a device; for a batch,
  // "<first group> .. <last group>".
  std::string name;
  std::string device_id;  // "cpu:0"; empty for tests of the suite itself
  // Runs alone on its device, even with --jobs (see IsExclusiveSuite).
  bool exclusive = false;
  std::vector<std::string> tests;  // full test names, in list order
  // The group of each test (parallel to `tests`): the records' "group".
  std::vector<std::string> test_groups;
};

// The device as test names carry it: the id with non-alphanumerics as '_'
// ("cpu:0" -> "cpu_0"), as CtsEnvironment names it.
std::string TestNameOfDevice(absl::string_view device_id);

// Suites that must have their device to themselves: they take the device's
// memory up to its limit, or judge time, so another process on the same
// device would make them fail (or fail because of them).
bool IsExclusiveSuite(absl::string_view suite);

// Groups `tests` (in list order) by suite and device. The device of a test is
// the device whose test name its parameter is or starts with followed by '_'
// ("Copy.X/cpu_0", "Numerics.Saxpy/cpu_0_odd_size"), the longest such one;
// a test whose parameter names no device (CtsSelfTest.*) belongs to its
// suite's device-less group. Groups come in the order of their first test.
std::vector<TestGroup> GroupTests(const std::vector<std::string>& tests,
                                  const std::vector<DeviceRecord>& devices);

// Joins the groups of each device into batches for the children: per device,
// its groups that are not exclusive, in order, split into as many batches as
// --jobs can run at once for it (ceil(jobs / devices), at least 1). Exclusive
// and device-less groups stay alone.
std::vector<TestGroup> BatchGroups(const std::vector<TestGroup>& groups, int jobs);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_TEST_GROUPS_H_
