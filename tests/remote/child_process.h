// A program of the build tree run as a child process, for tests that need
// several processes (hald and its tenants): optional line-based talk over its
// stdin/stdout, its output appended to a file, signals, and waits with a
// deadline. The child gets SIGKILL if the thread that started it ends
// (PR_SET_PDEATHSIG), so a crashed test leaves no daemon behind: start
// children from a thread that outlives them (a test's or main's thread).
#ifndef HAL_TESTS_REMOTE_CHILD_PROCESS_H_
#define HAL_TESTS_REMOTE_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hal::testing {

// How a child ended.
struct ExitStatus {
  bool exited = false;  // exited normally with `code`; otherwise killed by `signal`
  int code = 0;
  int signal = 0;
  std::string ToString() const;  // "exit status 0", "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is the program's path
    // Set (or replaced) in the child's environment, which is otherwise ours.
    std::vector<std::pair<std::string, std::string>> environment;
    // Both stdout and stderr are appended to this file when set; otherwise
    // stderr is ours, and stdout too unless `talk`.
    std::string output_file;
    // stdin and stdout become pipes for WriteLine / ReadLine (and this
    // process ignores SIGPIPE from then on, so a write to a dead child fails).
    bool talk = false;
  };

  // Internal (naming the program and errno text) when it cannot be started; a
  // program that cannot be executed exits with status 127.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const Options& options);
  // Kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  // A line to the child's stdin (the newline is added). FailedPrecondition
  // without `talk`; Unavailable once the child closed its stdin.
  absl::Status WriteLine(const std::string& line);
  // The next line of the child's stdout, without its newline.
  // DeadlineExceeded when none came in `timeout`; Unavailable at end of file.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);

  absl::Status Signal(int signal_number);
  // Still running (not reaped)?
  bool Running();
  // Reaps the child. DeadlineExceeded (the child left running) when it did not
  // end in `timeout`.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);

 private:
  ChildProcess() = default;
  // Reaps without blocking; true once the child has been reaped.
  bool Reap(int options);

  pid_t pid_ = -1;
  std::string name_;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;  // bytes read past the last line returned
  bool reaped_ = false;
  ExitStatus exit_status_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_CHILD_PROCESS_H_
