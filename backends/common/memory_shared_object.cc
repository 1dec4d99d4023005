#include "backends/common/memory_shared_object.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hal::driver_support {
namespace {

// Closes a descriptor unless released.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool WriteAll(int fd, const std::byte* data, size_t size) {
  while (size > 0) {
    const ssize_t written = write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

}  // namespace

std::unique_ptr<MemorySharedObject> MemorySharedObject::Load(const void* image, size_t image_size,
                                                             const char* memfd_name,
                                                             LoadError* error) {
  ScopedFd memfd(memfd_create(memfd_name, MFD_CLOEXEC));
  if (memfd.get() < 0) {
    *error = {Step::kMemfdCreate, std::strerror(errno)};
    return nullptr;
  }
  if (!WriteAll(memfd.get(), static_cast<const std::byte*>(image), image_size)) {
    *error = {Step::kWrite, std::strerror(errno)};
    return nullptr;
  }
  std::string path = "/proc/self/fd/" + std::to_string(memfd.get());
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    *error = {Step::kDlopen, why != nullptr ? why : "unknown error"};
    return nullptr;
  }
  return std::unique_ptr<MemorySharedObject>(
      new MemorySharedObject(memfd.release(), std::move(path), handle));
}

MemorySharedObject::MemorySharedObject(int memfd, std::string path, void* handle)
    : memfd_(memfd), path_(std::move(path)), handle_(handle) {}

MemorySharedObject::~MemorySharedObject() {
  dlclose(handle_);
  // The dynamic loader recognizes an object by its path before it looks at
  // the file. dlclose may keep an object loaded (GNU unique symbols, -z
  // nodelete); closing its memfd would then let a later image get the same
  // descriptor number and path, and dlopen would return this stale object.
  // Such an object keeps its descriptor for the life of the process.
  if (void* still_loaded = dlopen(path_.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(still_loaded);
    return;
  }
  close(memfd_);
}

void* MemorySharedObject::Symbol(const char* name) const { return dlsym(handle_, name); }

}  // namespace hal::driver_support
