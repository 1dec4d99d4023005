// A hal-cts child process as the runner sees it: started with posix_spawn of
// the same binary in a process group of its own (so that a kill reaches
// whatever it started too), its event pipe on kChildPipeFd, and its stdout
// and stderr captured in memory for the parent to print once it is done (so
// that --jobs runs do not interleave lines, and a crash's last words can go
// into the record).
#ifndef HAL_CONFORMANCE_RUNNER_CHILD_PROCESS_H_
#define HAL_CONFORMANCE_RUNNER_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "conformance/runner/group_run.h"

namespace hal::cts {

class ChildProcess {
 public:
  enum class Stdout { kCapture, kDiscard };

  // Runs /proc/self/exe with `args` (args[0] included). Unavailable naming
  // the reason when the process cannot be started.
  static absl::StatusOr<ChildProcess> Spawn(const std::vector<std::string>& args, Stdout stdout_to);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills and reaps a child still running (the runner interrupted).
  ~ChildProcess();

  // The read end of the event pipe (non-blocking), for poll().
  int events_fd() const { return events_fd_; }
  // Reads what is available: false at end of file (the child closed its end,
  // which it does by exiting).
  bool ReadEvents(std::string& bytes);
  // SIGKILL to the child's process group.
  void Kill();
  // The exit, once the child has exited; nullopt while it runs.
  std::optional<ChildExit> TryReap();
  // Everything the child printed, and its last `max_bytes` of it.
  std::string Output() const;
  std::string OutputTail(size_t max_bytes) const;

 private:
  ChildProcess() = default;
  void Close();

  pid_t pid_ = -1;
  int events_fd_ = -1;
  int output_fd_ = -1;  // a memfd; -1 when stdout is discarded and stderr inherited
};

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_CHILD_PROCESS_H_
