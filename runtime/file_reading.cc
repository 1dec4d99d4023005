#include "runtime/file_reading.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hal::internal {
namespace {

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes,
                                            absl::string_view what) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot open ", what, " ", path, ": ", std::strerror(error));
    if (error == ENOENT || error == ENOTDIR) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot inspect ", what, " ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is ", FileKind(info.st_mode), ", not a regular file"));
  }
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, " is ", size,
                                                   " bytes; at most ", max_bytes, " are accepted"));
  }
  std::string contents(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t got = read(fd.get(), contents.data() + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
    }
    if (got == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", path, " shrank from ", size, " to ", done, " bytes while read"));
    }
    done += static_cast<size_t>(got);
  }
  return contents;
}

}  // namespace hal::internal
