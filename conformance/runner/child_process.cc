#include "conformance/runner/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "conformance/runner/child_protocol.h"

extern char** environ;

namespace hal::cts {
namespace {

absl::Status SpawnError(const char* what, int error) {
  return absl::UnavailableError(
      absl::StrCat("cannot start a hal-cts child process (", what, "): ", std::strerror(error)));
}

// posix_spawn's attributes and file actions, destroyed on every path.
struct SpawnSetup {
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
};

}  // namespace

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& args,
                                                 Stdout stdout_to) {
  ChildProcess child;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return SpawnError("pipe", errno);
  child.events_fd_ = pipe_fds[0];
  if (stdout_to == Stdout::kCapture) {
    child.output_fd_ = memfd_create("hal-cts-child-output", MFD_CLOEXEC);
    if (child.output_fd_ < 0) {
      close(pipe_fds[1]);
      return SpawnError("memfd_create", errno);
    }
  }

  SpawnSetup setup;
  // The read end is the lowest free fd, so the write end is never
  // kChildPipeFd itself (dup2 onto itself would keep O_CLOEXEC).
  posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], kChildPipeFd);
  if (child.output_fd_ >= 0) {
    posix_spawn_file_actions_adddup2(&setup.actions, child.output_fd_, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, child.output_fd_, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  // A group of its own: Kill reaches what the child started, and a terminal's
  // Ctrl-C reaches the parent only, which then ends the children itself.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&empty);
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
  posix_spawnattr_setsigmask(&setup.attributes, &empty);

  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int error =
      posix_spawn(&child.pid_, "/proc/self/exe", &setup.actions, &setup.attributes, argv.data(),
                  environ);
  close(pipe_fds[1]);
  if (error != 0) {
    child.pid_ = -1;
    return SpawnError("posix_spawn", error);
  }
  fcntl(child.events_fd_, F_SETFL, fcntl(child.events_fd_, F_GETFL) | O_NONBLOCK);
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Close();
    pid_ = std::exchange(other.pid_, -1);
    events_fd_ = std::exchange(other.events_fd_, -1);
    output_fd_ = std::exchange(other.output_fd_, -1);
  }
  return *this;
}

ChildProcess::~ChildProcess() { Close(); }

void ChildProcess::Close() {
  if (pid_ > 0) {
    Kill();
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  for (int* fd : {&events_fd_, &output_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

bool ChildProcess::ReadEvents(std::string& bytes) {
  std::array<char, 65536> chunk;
  while (true) {
    const ssize_t n = read(events_fd_, chunk.data(), chunk.size());
    if (n > 0) {
      bytes.append(chunk.data(), static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    // EAGAIN: nothing more for now. Any other error ends the stream as EOF would.
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

void ChildProcess::Kill() {
  if (pid_ > 0) kill(-pid_, SIGKILL);
}

std::optional<ChildExit> ChildProcess::TryReap() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid_, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return std::nullopt;
  // Whatever it started may outlive it in its group: end those too.
  kill(-pid_, SIGKILL);
  pid_ = -1;
  if (reaped < 0) return ChildExit{false, -1};
  if (WIFSIGNALED(status)) return ChildExit{true, WTERMSIG(status)};
  return ChildExit{false, WEXITSTATUS(status)};
}

std::string ChildProcess::Output() const { return OutputTail(std::string::npos); }

std::string ChildProcess::OutputTail(size_t max_bytes) const {
  struct stat info;
  if (output_fd_ < 0 || fstat(output_fd_, &info) != 0 || info.st_size <= 0) return "";
  const auto size = static_cast<size_t>(info.st_size);
  const size_t length = std::min(size, max_bytes);
  std::string text(length, '\0');
  size_t done = 0;
  while (done < length) {
    const ssize_t n = pread(output_fd_, text.data() + done, length - done,
                            static_cast<off_t>(size - length + done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  text.resize(done);
  return text;
}

}  // namespace hal::cts
