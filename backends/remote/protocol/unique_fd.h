#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_UNIQUE_FD_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace hal::remote {

// Owns a file descriptor: closed on destruction; move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  // Closes the owned descriptor (if any) and takes `fd`.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_UNIQUE_FD_H_
