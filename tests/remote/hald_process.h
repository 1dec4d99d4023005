// A hald (daemon/) of the build tree started for a test or benchmark: writes
// its pool file into a temporary folder, starts it listening on a Unix socket
// there (and on TCP loopback, port 0, when asked), waits for its
// "hald: listening on <endpoint>" lines, and stops it with SIGTERM. Its
// stdout and stderr go to hald.log in the folder (log()), so a daemon that
// logs every session never blocks on a full pipe.
#ifndef HAL_TESTS_REMOTE_HALD_PROCESS_H_
#define HAL_TESTS_REMOTE_HALD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/remote/child_process.h"
#include "tests/test_folder.h"

namespace hal::testing {

class HaldProcess {
 public:
  struct Options {
    std::string hald;                          // path of the hald program
    std::string pool_json;                     // the pool file's contents
    bool listen_tcp = false;                   // also --listen tcp://127.0.0.1:0
    std::vector<std::string> extra_arguments;  // e.g. {"--metrics", "127.0.0.1:0"}
    std::vector<std::pair<std::string, std::string>> environment;  // set for hald
    absl::Duration ready_timeout = absl::Seconds(30);
  };

  // FailedPrecondition with hald's log when it exits before listening;
  // DeadlineExceeded (hald killed) when it did not listen in time.
  static absl::StatusOr<std::unique_ptr<HaldProcess>> Start(const Options& options);
  // Kills hald (SIGKILL) if it is still running, and removes the folder.
  ~HaldProcess() = default;

  // "unix:/tmp/hal-test-XXXXXX/hald.sock"
  const std::string& unix_endpoint() const { return unix_endpoint_; }
  // "tcp://127.0.0.1:PORT" with the port hald bound; "" without listen_tcp.
  const std::string& tcp_endpoint() const { return tcp_endpoint_; }
  pid_t pid() const { return process_->pid(); }
  const std::string& pool_path() const { return pool_path_; }
  // The temporary folder of the socket, pool file and log.
  const std::string& folder() const { return folder_.path(); }
  // Everything hald wrote to stdout and stderr so far, and its last `bytes`.
  std::string log() const;
  std::string LogTail(size_t bytes = 4000) const;
  // Waits until the log holds `text` (a session line, a reload line).
  // DeadlineExceeded, with the log's tail, when it does not in `timeout`.
  absl::Status WaitForLog(const std::string& text,
                          absl::Duration timeout = absl::Seconds(20)) const;

  // Replaces the pool file's contents (then Signal(SIGHUP) reloads it).
  absl::Status RewritePool(const std::string& pool_json);
  absl::Status Signal(int signal_number) { return process_->Signal(signal_number); }
  // Waits for hald to end after a signal of the caller's: its exit status.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout = absl::Seconds(30)) {
    return process_->Wait(timeout);
  }
  bool Running() { return process_->Running(); }
  // SIGTERM, then waits for hald to end: its exit status.
  // DeadlineExceeded (and SIGKILL) when it did not end in `timeout`.
  absl::StatusOr<ExitStatus> Stop(absl::Duration timeout = absl::Seconds(30));
  // Stop() that expects exit status 0: the status otherwise names what
  // happened and carries the log's tail.
  absl::Status StopCleanly(absl::Duration timeout = absl::Seconds(30));

 private:
  HaldProcess() = default;
  // Parses the listening lines of the log: true once every listener has one.
  bool ParseListeningLines(size_t listeners);

  TestFolder folder_;
  std::string pool_path_;
  std::string log_path_;
  std::string unix_endpoint_;
  std::string tcp_endpoint_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_HALD_PROCESS_H_
