// A tenant's kernel modules. ModuleLoad keeps the image, after checking that
// the device would load it (the driver ABI's module_load refuses a bad image
// at once, so hald must too); KernelGet builds an in-memory bundle of that one
// kernel (from the signature the client sent) over the image and loads it
// with Device::LoadKernel, so the runtime's own image checks run before any
// driver sees the bytes. Native formats (cpu-elf: code that would run inside
// hald) are PermissionDenied unless the pool file allows them for the
// virtual device.
#ifndef HAL_DAEMON_TENANT_MODULES_H_
#define HAL_DAEMON_TENANT_MODULES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hal/device.h"
#include "hal/kernel.h"
#include "hal_remote.pb.h"

namespace hal::daemon {

struct ModuleImage {
  std::string format;
  std::vector<uint8_t> data;
};

// InvalidArgument when `device` does not take the format or would refuse the
// bytes; PermissionDenied for a native format without `native_kernels`.
absl::Status CheckModuleImage(Device& device, const ModuleImage& image, bool native_kernels,
                              absl::string_view virtual_device);

absl::StatusOr<std::shared_ptr<Kernel>> LoadModuleKernel(
    Device& device, const ModuleImage& image, const std::string& name,
    const remote::v1::KernelSignature& signature);

}  // namespace hal::daemon

#endif  // HAL_DAEMON_TENANT_MODULES_H_
