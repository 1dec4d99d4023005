#include "tests/remote/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace hal::testing {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

// The child's environment: ours with `overrides` set.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const char* equals = std::strchr(*entry, '=');
    if (equals == nullptr) continue;
    variables[std::string(*entry, static_cast<size_t>(equals - *entry))] = equals + 1;
  }
  for (const auto& [name, value] : overrides) variables[name] = value;
  std::vector<std::string> environment;
  for (const auto& [name, value] : variables) environment.push_back(name + "=" + value);
  return environment;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return absl::StrCat("exit status ", code);
  return absl::StrCat("killed by signal ", signal, " (", strsignal(signal), ")");
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const Options& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("no program to start");
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->name_ = options.argv[0];
  // Everything the child needs is prepared before fork: between fork and exec
  // it may only make async-signal-safe calls.
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv = NullTerminated(argv_strings);
  std::vector<std::string> environment_strings = ChildEnvironment(options.environment);
  std::vector<char*> envp = NullTerminated(environment_strings);
  int output_fd = -1;
  if (!options.output_file.empty()) {
    output_fd = open(options.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (output_fd < 0) {
      return absl::InternalError(
          absl::StrCat("cannot open ", options.output_file, ": ", ErrnoText(errno)));
    }
  }
  // Writing to a child that died must be an error, not a SIGPIPE that ends
  // the test (pipes have no MSG_NOSIGNAL).
  if (options.talk) signal(SIGPIPE, SIG_IGN);
  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  if (options.talk && (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)) {
    const int error = errno;
    for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1], output_fd}) {
      if (fd >= 0) close(fd);
    }
    return absl::InternalError(absl::StrCat("pipe: ", ErrnoText(error)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    if (options.talk &&
        (dup2(to_child[0], STDIN_FILENO) < 0 || dup2(from_child[1], STDOUT_FILENO) < 0)) {
      _exit(127);
    }
    if (output_fd >= 0) {
      if ((!options.talk && dup2(output_fd, STDOUT_FILENO) < 0) ||
          dup2(output_fd, STDERR_FILENO) < 0) {
        _exit(127);
      }
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const int fork_error = errno;
  if (output_fd >= 0) close(output_fd);
  if (options.talk) {
    close(to_child[0]);
    close(from_child[1]);
    child->stdin_fd_ = to_child[1];
    child->stdout_fd_ = from_child[0];
  }
  if (pid < 0) {
    return absl::InternalError(
        absl::StrCat("cannot start ", child->name_, ": fork: ", ErrnoText(fork_error)));
  }
  child->pid_ = pid;
  return child;
}

ChildProcess::~ChildProcess() {
  CloseIfOpen(stdin_fd_);
  CloseIfOpen(stdout_fd_);
  if (!Reap(WNOHANG)) {
    kill(pid_, SIGKILL);
    Reap(0);
  }
}

absl::Status ChildProcess::WriteLine(const std::string& line) {
  if (stdin_fd_ < 0) return absl::FailedPreconditionError(name_ + " was not started to talk");
  const std::string text = line + "\n";
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(stdin_fd_, text.data() + written, text.size() - written);
    const int error = errno;
    if (n < 0 && error == EINTR) continue;
    if (n < 0) {
      return absl::UnavailableError(
          absl::StrCat("writing to ", name_, " (pid ", pid_, "): ", ErrnoText(error)));
    }
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChildProcess::ReadLine(absl::Duration timeout) {
  if (stdout_fd_ < 0) return absl::FailedPreconditionError(name_ + " was not started to talk");
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("no line from ", name_, " (pid ", pid_,
                                                      ") in ", absl::FormatDuration(timeout),
                                                      "; partial output: \"", pending_, "\""));
    }
    pollfd readable = {stdout_fd_, POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno != EINTR) return absl::InternalError("poll: " + ErrnoText(errno));
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(stdout_fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(absl::StrCat(
          name_, " (pid ", pid_, ") closed its output; partial output: \"", pending_, "\""));
    }
    pending_.append(chunk, static_cast<size_t>(n));
  }
}

absl::Status ChildProcess::Signal(int signal_number) {
  if (reaped_ || kill(pid_, signal_number) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(name_, " (pid ", pid_, ") is not running to signal"));
  }
  return absl::OkStatus();
}

bool ChildProcess::Running() { return !Reap(WNOHANG); }

bool ChildProcess::Reap(int options) {
  if (reaped_ || pid_ < 0) return true;
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid_, &status, options);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != pid_) return false;
  reaped_ = true;
  exit_status_.exited = WIFEXITED(status);
  exit_status_.code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  exit_status_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return true;
}

absl::StatusOr<ExitStatus> ChildProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Reap(WNOHANG)) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          name_, " (pid ", pid_, ") still running after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return exit_status_;
}

}  // namespace hal::testing
