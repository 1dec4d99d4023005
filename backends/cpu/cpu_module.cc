#include "backends/cpu/cpu_module.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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

std::string Describe(uint32_t binding_count, uint32_t push_constant_size,
                     const uint32_t (&workgroup_size)[3]) {
  return std::to_string(binding_count) + " bindings, " + std::to_string(push_constant_size) +
         " push-constant bytes, workgroup size " + std::to_string(workgroup_size[0]) + "x" +
         std::to_string(workgroup_size[1]) + "x" + std::to_string(workgroup_size[2]);
}

// The kernel's own declaration (HAL_CPU_KERNEL_SIGNATURE) must agree with the
// bundle's: a kernel given fewer bindings or push-constant bytes than it
// reads would read past them.
hal_result CheckSignature(void* handle, const char* name, const hal_kernel_signature& expected) {
  const std::string symbol = std::string(HAL_CPU_KERNEL_SIGNATURE_PREFIX) + name;
  const auto* declared =
      static_cast<const hal_cpu_kernel_signature*>(dlsym(handle, symbol.c_str()));
  if (declared == nullptr) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                std::string("the CPU kernel image exports kernel \"") + name +
                    "\" without a signature (symbol " + symbol +
                    "); declare it with HAL_CPU_KERNEL_SIGNATURE (hal/driver/hal_cpu_kernel.h)");
  }
  if (declared->struct_size < sizeof(hal_cpu_kernel_signature)) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                std::string("the signature of CPU kernel \"") + name + "\" is " +
                    std::to_string(declared->struct_size) + " bytes, fewer than the " +
                    std::to_string(sizeof(hal_cpu_kernel_signature)) + " this driver reads");
  }
  const bool same =
      declared->binding_count == expected.binding_count &&
      declared->push_constant_size == expected.push_constant_size &&
      std::equal(declared->workgroup_size, declared->workgroup_size + 3, expected.workgroup_size);
  if (same) return HAL_SUCCESS;
  return Fail(
      HAL_ERROR_INVALID_ARGUMENT,
      std::string("CPU kernel \"") + name + "\": the bundle declares " +
          Describe(expected.binding_count, expected.push_constant_size, expected.workgroup_size) +
          ", but the image declares " +
          Describe(declared->binding_count, declared->push_constant_size,
                   declared->workgroup_size));
}

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
  if (const hal_result result = CheckSignature(handle_, name, signature); result != HAL_SUCCESS) {
    return result;
  }
  auto kernel = std::make_unique<Kernel>(Kernel{
      reinterpret_cast<hal_cpu_kernel_fn>(symbol),
      {signature.workgroup_size[0], signature.workgroup_size[1], signature.workgroup_size[2]}});
  std::lock_guard lock(kernels_mutex_);
  *out_kernel = kernels_.emplace_back(std::move(kernel)).get();
  return HAL_SUCCESS;
}

}  // namespace hal::cpu
