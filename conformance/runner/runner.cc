#include "conformance/runner/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "conformance/reporting/record_json.h"
#include "conformance/runner/child_process.h"
#include "conformance/runner/child_protocol.h"
#include "conformance/runner/group_run.h"
#include "conformance/runner/test_groups.h"

namespace hal::cts {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a dead child's output goes into its records.
constexpr size_t kOutputTailBytes = 4096;
// The longest line a child may write: a record line and its keyword.
constexpr size_t kMaxChildLineBytes = kMaxRecordLineBytes + 16;
// How often a child whose pipe closed is checked for its exit.
constexpr std::chrono::milliseconds kReapInterval(20);

// SIGINT and SIGTERM reach the poll loop through a pipe.
int g_signal_pipe_write = -1;

void OnStopSignal(int signal_number) {
  const unsigned char byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] const ssize_t n = write(g_signal_pipe_write, &byte, 1);
}

// Installs the handlers for the lifetime of a run, and restores the old ones.
class StopSignals {
 public:
  StopSignals() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
    g_signal_pipe_write = fds_[1];
    struct sigaction action = {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe_write = -1;
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int read_fd() const { return fds_[0]; }
  // The signal received, 0 if none.
  int Received() const {
    unsigned char byte = 0;
    return read(fds_[0], &byte, 1) == 1 ? byte : 0;
  }

 private:
  int fds_[2];
  struct sigaction old_int_, old_term_;
};

bool IsParentOnlyGTestFlag(absl::string_view arg, bool drop_filter) {
  for (absl::string_view flag : {"gtest_output", "gtest_list_tests"}) {
    if (absl::StrContains(arg, flag)) return true;
  }
  return drop_filter && absl::StrContains(arg, "gtest_filter");
}

// The command line of a child: the user's flags that choose devices and
// judge tests, the mode flag, and GoogleTest's flags. A group's child
// opens only the group's device, and its filter names exactly its tests.
std::vector<std::string> ChildArguments(const CommandLine& command_line, const char* mode_flag,
                                        const TestGroup* group,
                                        const std::vector<std::string>& tests) {
  const CtsOptions& options = command_line.options;
  std::vector<std::string> args = {command_line.gtest_args.front(),
                                   absl::StrCat(mode_flag, "=", kChildPipeFd), "--kernels",
                                   options.kernels_path};
  if (options.driver) args.insert(args.end(), {"--driver", *options.driver});
  if (group != nullptr && !group->device_id.empty()) {
    args.insert(args.end(), {"--device", group->device_id});
  } else if (options.device) {
    args.insert(args.end(), {"--device", *options.device});
  }
  if (options.expected_failures_path) {
    args.insert(args.end(), {"--expected-failures", *options.expected_failures_path});
  }
  if (options.verify_known_failures) args.push_back("--verify-known-failures");
  if (options.allow_no_devices) args.push_back("--allow-no-devices");
  for (size_t i = 1; i < command_line.gtest_args.size(); ++i) {
    if (!IsParentOnlyGTestFlag(command_line.gtest_args[i], group != nullptr)) {
      args.push_back(command_line.gtest_args[i]);
    }
  }
  if (group != nullptr) args.push_back(absl::StrCat("--gtest_filter=", absl::StrJoin(tests, ":")));
  return args;
}

void PrintChildOutput(const ChildProcess& child) {
  const std::string output = child.Output();
  std::fwrite(output.data(), 1, output.size(), stdout);
  std::fflush(stdout);
}

// Waits for a child whose pipe is closed (or that was killed) to exit; kills
// it at `deadline`.
ChildExit WaitForExit(ChildProcess& child, Clock::time_point deadline) {
  while (true) {
    if (std::optional<ChildExit> exit = child.TryReap()) return *exit;
    if (Clock::now() >= deadline) child.Kill();
    usleep(std::chrono::microseconds(kReapInterval).count());
  }
}

struct Listing {
  std::vector<DeviceRecord> devices;
  std::vector<std::string> tests;
  std::optional<std::string> error;
};

void ReadListingEvent(const ChildEvent& event, Listing& listing) {
  switch (event.kind) {
    case ChildEvent::Kind::kDevices: {
      absl::StatusOr<std::vector<DeviceRecord>> devices = DeviceRecordsFromJsonLine(event.text);
      if (devices.ok()) {
        listing.devices = *std::move(devices);
      } else {
        listing.error = absl::StrCat("listing the tests: ", devices.status().message());
      }
      return;
    }
    case ChildEvent::Kind::kTest:
      listing.tests.push_back(event.text);
      return;
    case ChildEvent::Kind::kError:
      listing.error = event.text;
      return;
    case ChildEvent::Kind::kStart:
    case ChildEvent::Kind::kEnd:
    case ChildEvent::Kind::kMalformed:
      listing.error = absl::StrCat("listing the tests: the child process wrote ",
                                   EscapeForMessage(event.text, 200));
      return;
  }
}

// Runs the list-mode child: it loads the drivers, opens the devices and
// expands the tests, all of which may crash or hang as a test may.
Listing ListTests(const CommandLine& command_line, const StopSignals& signals,
                  int& stopped_by_signal) {
  Listing listing;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(
      ChildArguments(command_line, kChildListFlag, nullptr, {}), ChildProcess::Stdout::kDiscard);
  if (!child.ok()) {
    listing.error = std::string(child.status().message());
    return listing;
  }
  const auto timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(command_line.options.test_timeout_seconds));
  const Clock::time_point deadline = Clock::now() + timeout;
  ChildLineReader reader(kMaxChildLineBytes);
  std::vector<ChildEvent> events;
  bool open = true;
  while (open && Clock::now() < deadline) {
    pollfd fds[2] = {{child->events_fd(), POLLIN, 0}, {signals.read_fd(), POLLIN, 0}};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(fds, 2, static_cast<int>(std::max<int64_t>(wait.count(), 0) + 1)) < 0) continue;
    if (fds[1].revents != 0 && (stopped_by_signal = signals.Received()) != 0) return listing;
    std::string bytes;
    open = child->ReadEvents(bytes);
    reader.Feed(bytes, events);
  }
  if (open) {
    listing.error = absl::StrCat("listing the tests: the child process did not finish within ",
                                 command_line.options.test_timeout_seconds,
                                 " s (--test-timeout); killed");
    child->Kill();
  }
  reader.Finish(events);
  for (const ChildEvent& event : events) ReadListingEvent(event, listing);
  const ChildExit exit = WaitForExit(*child, Clock::now() + timeout);
  if (!listing.error && (exit.signaled || exit.code != 0)) {
    listing.error = absl::StrCat("listing the tests: the child process ended with ",
                                 DescribeChildExit(exit));
  }
  return listing;
}

// One group's current child.
struct Slot {
  size_t group;
  ChildProcess child;
  ChildLineReader reader{kMaxChildLineBytes};
  bool pipe_closed = false;
  bool killed = false;
};

class Scheduler {
 public:
  Scheduler(const CommandLine& command_line, std::vector<TestGroup> groups)
      : command_line_(command_line) {
    const std::chrono::duration<double> timeout(command_line.options.test_timeout_seconds);
    for (TestGroup& group : groups) runs_.emplace_back(std::move(group), timeout);
    started_.assign(runs_.size(), false);
  }

  // Runs every group; returns the signal that stopped it, or 0.
  int Run(const StopSignals& signals) {
    while (true) {
      StartGroups();
      if (slots_.empty()) return 0;
      std::vector<pollfd> fds = {{signals.read_fd(), POLLIN, 0}};
      for (const std::unique_ptr<Slot>& slot : slots_) {
        fds.push_back({slot->pipe_closed ? -1 : slot->child.events_fd(), POLLIN, 0});
      }
      poll(fds.data(), fds.size(), PollTimeoutMs());
      if (fds[0].revents != 0) {
        if (const int signal_number = signals.Received(); signal_number != 0) {
          slots_.clear();  // kills and reaps every child
          return signal_number;
        }
      }
      for (size_t i = 0; i < slots_.size(); ++i) {
        if (fds[i + 1].revents != 0) ReadFrom(*slots_[i]);
      }
      EnforceDeadlines();
      ReapExited();
    }
  }

  std::vector<TestRecord> Records() const {
    std::vector<TestRecord> records;
    for (const GroupRun& run : runs_) {
      std::vector<TestRecord> group_records = run.Records();
      records.insert(records.end(), group_records.begin(), group_records.end());
    }
    return records;
  }

 private:
  bool CanStart(size_t group) const {
    if (started_[group]) return false;
    const TestGroup& candidate = runs_[group].group();
    if (candidate.device_id.empty()) return true;
    for (const std::unique_ptr<Slot>& slot : slots_) {
      const TestGroup& running = runs_[slot->group].group();
      if (running.device_id == candidate.device_id && (running.exclusive || candidate.exclusive)) {
        return false;
      }
    }
    return true;
  }

  void StartGroups() {
    for (size_t group = 0; group < runs_.size(); ++group) {
      if (slots_.size() >= static_cast<size_t>(command_line_.options.jobs)) return;
      if (!CanStart(group)) continue;
      started_[group] = true;
      StartChild(group);
    }
  }

  // Starts the group's next child, or, when it cannot start, records the
  // tests as not run (a fresh child could not be started either).
  void StartChild(size_t group) {
    GroupRun& run = runs_[group];
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(
        ChildArguments(command_line_, kChildEventsFlag, &run.group(), run.TestsToRun()),
        ChildProcess::Stdout::kCapture);
    run.ChildStarted(Clock::now());
    if (!child.ok()) {
      run.ChildExited(ChildExit{false, 127}, child.status().message(), Clock::now());
      return;
    }
    auto slot = std::make_unique<Slot>(Slot{group, *std::move(child)});
    slots_.push_back(std::move(slot));
  }

  int PollTimeoutMs() const {
    Clock::time_point wake = Clock::time_point::max();
    for (const std::unique_ptr<Slot>& slot : slots_) {
      wake = std::min(wake, slot->pipe_closed || slot->killed
                                ? Clock::now() + kReapInterval
                                : runs_[slot->group].Deadline());
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    return static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, 60'000));
  }

  void ReadFrom(Slot& slot) {
    std::string bytes;
    slot.pipe_closed = !slot.child.ReadEvents(bytes);
    std::vector<ChildEvent> events;
    slot.reader.Feed(bytes, events);
    if (slot.pipe_closed) slot.reader.Finish(events);
    for (const ChildEvent& event : events) runs_[slot.group].OnEvent(event, Clock::now());
  }

  void EnforceDeadlines() {
    const Clock::time_point now = Clock::now();
    for (const std::unique_ptr<Slot>& slot : slots_) {
      if (slot->killed || now < runs_[slot->group].Deadline()) continue;
      runs_[slot->group].DeadlinePassed(now);
      slot->child.Kill();
      slot->killed = true;
    }
  }

  void ReapExited() {
    for (size_t i = 0; i < slots_.size();) {
      Slot& slot = *slots_[i];
      std::optional<ChildExit> exit = slot.child.TryReap();
      if (!exit) {
        ++i;
        continue;
      }
      // What it wrote before it died is still in the pipe.
      if (!slot.pipe_closed) ReadFrom(slot);
      if (!slot.pipe_closed) {
        std::vector<ChildEvent> events;
        slot.reader.Finish(events);
        for (const ChildEvent& event : events) runs_[slot.group].OnEvent(event, Clock::now());
      }
      PrintChildOutput(slot.child);
      GroupRun& run = runs_[slot.group];
      run.ChildExited(*exit, slot.child.OutputTail(kOutputTailBytes), Clock::now());
      const size_t group = slot.group;
      slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
      if (run.NeedsChild()) StartChild(group);
    }
  }

  const CommandLine& command_line_;
  std::vector<GroupRun> runs_;
  std::vector<bool> started_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// The records in list order, then those of no listed test (failures
// outside tests), group by group.
std::vector<TestRecord> InListOrder(const std::vector<std::string>& tests,
                                    std::vector<TestRecord> records) {
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < tests.size(); ++i) position.emplace(tests[i], i);
  std::stable_sort(records.begin(), records.end(), [&](const TestRecord& a, const TestRecord& b) {
    const auto at = [&](const TestRecord& r) {
      auto it = position.find(r.name);
      return it == position.end() ? tests.size() : it->second;
    };
    return at(a) < at(b);
  });
  return records;
}

}  // namespace

void PrintDevicesUnderTest(const std::vector<DeviceRecord>& devices) {
  for (const DeviceRecord& device : devices) {
    std::cout << "hal-cts: testing " << device.id << ": " << device.name << " (" << device.vendor
              << "), driver " << device.driver << " " << device.driver_version << ", ABI "
              << device.abi_version << ", uuid " << device.uuid << "\n";
  }
  std::cout.flush();
}

RunnerResult RunInChildProcesses(const CommandLine& command_line) {
  RunnerResult result;
  StopSignals signals;
  Listing listing = ListTests(command_line, signals, result.stopped_by_signal);
  result.report.devices = listing.devices;
  if (result.stopped_by_signal == 0 && listing.error) {
    result.report.error = listing.error;
    result.setup_failed = true;
    return result;
  }
  if (result.stopped_by_signal == 0) {
    PrintDevicesUnderTest(listing.devices);
    Scheduler scheduler(command_line, BatchGroups(GroupTests(listing.tests, listing.devices),
                                                  command_line.options.jobs));
    result.stopped_by_signal = scheduler.Run(signals);
    result.report.tests = InListOrder(listing.tests, scheduler.Records());
  }
  if (result.stopped_by_signal != 0) {
    result.report.error = absl::StrCat(
        "stopped by ", DescribeChildExit(ChildExit{true, result.stopped_by_signal}), " after ",
        result.report.tests.size(), " of ", listing.tests.size(),
        " tests: this report is partial");
  }
  return result;
}

}  // namespace hal::cts
