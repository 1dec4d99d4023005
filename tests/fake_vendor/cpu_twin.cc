#include "tests/fake_vendor/cpu_twin.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hal::fake {
namespace {

bool WriteAll(int fd, const uint8_t* data, size_t size) {
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

absl::StatusOr<std::shared_ptr<CpuTwinImage>> CpuTwinImage::Load(
    absl::Span<const uint8_t> bytes) {
  const int memfd = memfd_create("hal-fake-cpu-twin", MFD_CLOEXEC);
  if (memfd < 0) {
    return absl::InternalError(absl::StrCat("memfd_create: ", std::strerror(errno)));
  }
  if (!WriteAll(memfd, bytes.data(), bytes.size())) {
    const absl::Status error =
        absl::InternalError(absl::StrCat("writing a CPU twin image: ", std::strerror(errno)));
    close(memfd);
    return error;
  }
  std::string path = absl::StrCat("/proc/self/fd/", memfd);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    close(memfd);
    return absl::InvalidArgumentError(
        absl::StrCat("the CPU twin image cannot be loaded: ", why ? why : "unknown error"));
  }
  return std::shared_ptr<CpuTwinImage>(new CpuTwinImage(memfd, std::move(path), handle));
}

CpuTwinImage::~CpuTwinImage() {
  dlclose(handle_);
  // As the CPU driver does (backends/cpu/cpu_module.cc): an object dlclose
  // keeps loaded keeps its descriptor, or a later image would get the same
  // /proc/self/fd path and dlopen would hand back this stale object.
  if (void* still_loaded = dlopen(path_.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(still_loaded);
    return;
  }
  close(memfd_);
}

absl::StatusOr<CpuTwinKernel> CpuTwinImage::Kernel(absl::string_view name) const {
  const std::string function_name(name);
  void* function = dlsym(handle_, function_name.c_str());
  if (function == nullptr) {
    return absl::NotFoundError(absl::StrCat("the CPU twin exports no kernel \"", name, "\""));
  }
  const std::string signature_name = absl::StrCat(HAL_CPU_KERNEL_SIGNATURE_PREFIX, name);
  const auto* signature =
      static_cast<const hal_cpu_kernel_signature*>(dlsym(handle_, signature_name.c_str()));
  if (signature == nullptr || signature->struct_size < sizeof(hal_cpu_kernel_signature)) {
    return absl::NotFoundError(
        absl::StrCat("the CPU twin of \"", name, "\" declares no usable ", signature_name));
  }
  return CpuTwinKernel{function_name, reinterpret_cast<hal_cpu_kernel_fn>(function), *signature,
                       shared_from_this()};
}

void RunOnCpu(const CpuTwinKernel& kernel, const CpuLaunch& launch) {
  hal_cpu_dispatch dispatch{};
  for (int axis = 0; axis < 3; ++axis) {
    dispatch.workgroup_count[axis] = launch.workgroup_count[axis];
    dispatch.workgroup_size[axis] = kernel.signature.workgroup_size[axis];
  }
  dispatch.bindings = launch.bindings.data();
  dispatch.binding_count = static_cast<uint32_t>(launch.bindings.size());
  dispatch.binding_sizes = launch.binding_sizes.data();
  dispatch.push_constants = launch.push_constants.data();
  dispatch.push_constant_size = static_cast<uint32_t>(launch.push_constants.size());
  for (uint32_t z = 0; z < launch.workgroup_count[2]; ++z) {
    for (uint32_t y = 0; y < launch.workgroup_count[1]; ++y) {
      for (uint32_t x = 0; x < launch.workgroup_count[0]; ++x) {
        dispatch.workgroup_id[0] = x;
        dispatch.workgroup_id[1] = y;
        dispatch.workgroup_id[2] = z;
        kernel.function(&dispatch);
      }
    }
  }
}

}  // namespace hal::fake
