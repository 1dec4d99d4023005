#include "backends/remote/protocol/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/unique_fd.h"

namespace hal::remote {
namespace {

absl::Status ErrnoError(int error, const std::string& doing, const std::string& path) {
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat("cannot ", doing, " token file ", path, ": ", strerror(error)));
}

}  // namespace

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    return ErrnoError(errno, "open", path);
  }
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) {
    return ErrnoError(errno, "stat", path);
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, " is not a regular file"));
  }
  // One byte more than allowed tells an oversized file from a full one.
  std::string text(kMaxTokenFileBytes + 1, '\0');
  size_t length = 0;
  while (length < text.size()) {
    const ssize_t got = read(fd.get(), text.data() + length, text.size() - length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoError(errno, "read", path);
    if (got == 0) break;
    length += static_cast<size_t>(got);
  }
  if (length > kMaxTokenFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, " holds more than ",
                                                   kMaxTokenFileBytes, " bytes: not a token"));
  }
  text.resize(length);
  const std::string token(absl::StripAsciiWhitespace(text));
  if (token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("token file ", path, " holds no token"));
  }
  return token;
}

}  // namespace hal::remote
