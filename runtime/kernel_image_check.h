// The runtime's check of a kernel image before a driver loads it: a SPIR-V
// image must pass SPIRV-Tools' validator for its format's environment, and
// its entry point (a Vulkan image's GLCompute one, an OpenCL image's kernel)
// must fit the kernel's signature (runtime/spirv_interface.h). Drivers trust their input; this makes hostile
// images an InvalidArgument instead of a crash inside the vendor's compiler.
#ifndef HAL_RUNTIME_KERNEL_IMAGE_CHECK_H_
#define HAL_RUNTIME_KERNEL_IMAGE_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "hal/kernel_bundle.h"

namespace hal::internal {

// OK for formats that are not SPIR-V; InvalidArgument naming the kernel, the
// format, the device and what is wrong otherwise.
absl::Status CheckKernelImage(const KernelImage& image, const KernelInfo& kernel,
                              absl::string_view device_label);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_KERNEL_IMAGE_CHECK_H_
