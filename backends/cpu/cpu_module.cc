#include "backends/cpu/cpu_module.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "backends/cpu/cpu_error.h"

namespace hal::cpu {
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

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

hal_result Module::Load(const void* image, size_t image_size, std::unique_ptr<Module>* out_module) {
  ScopedFd memfd(memfd_create("hal-cpu-module", MFD_CLOEXEC));
  if (memfd.get() < 0) {
    return Fail(HAL_ERROR_UNAVAILABLE,
                "memfd_create for a CPU kernel image failed: " + ErrnoText());
  }
  if (!WriteAll(memfd.get(), static_cast<const std::byte*>(image), image_size)) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY, "writing a CPU kernel image of " +
                                             std::to_string(image_size) +
                                             " bytes to a memfd failed: " + ErrnoText());
  }
  std::string path = "/proc/self/fd/" + std::to_string(memfd.get());
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT, "the CPU kernel image (" + std::to_string(image_size) +
                                                " bytes) cannot be loaded: " + dlerror());
  }
  *out_module = std::make_unique<Module>(memfd.release(), std::move(path), handle);
  return HAL_SUCCESS;
}

Module::Module(int memfd, std::string path, void* handle)
    : memfd_(memfd), path_(std::move(path)), handle_(handle) {}

Module::~Module() {
  dlclose(handle_);
  // The dynamic loader recognizes an object by its path before it looks at
  // the file. dlclose may keep an object loaded (GNU unique symbols, -z
  // nodelete); closing its memfd would then let a later image get the same
  // descriptor number and path, and dlopen would return this stale object.
  // Such a module keeps its descriptor for the life of the process.
  if (void* still_loaded = dlopen(path_.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(still_loaded);
    return;
  }
  close(memfd_);
}

hal_result Module::GetKernel(const char* name, const hal_kernel_signature& signature,
                             Kernel** out_kernel) {
  void* symbol = dlsym(handle_, name);
  if (symbol == nullptr) {
    return Fail(HAL_ERROR_NOT_FOUND,
                std::string("the CPU kernel image exports no kernel \"") + name + "\"");
  }
  auto kernel = std::make_unique<Kernel>(Kernel{
      reinterpret_cast<hal_cpu_kernel_fn>(symbol),
      {signature.workgroup_size[0], signature.workgroup_size[1], signature.workgroup_size[2]}});
  std::lock_guard lock(kernels_mutex_);
  *out_kernel = kernels_.emplace_back(std::move(kernel)).get();
  return HAL_SUCCESS;
}

}  // namespace hal::cpu
