// hal-pack's check of a "cpu-elf:<arch>" image against the manifest, made at
// pack time so that a mismatch is the packer's error rather than a tenant's
// failed kernel_get: every kernel the image carries must be exported, with a
// HAL_CPU_KERNEL_SIGNATURE equal to its manifest entry. Reads the ELF file's
// dynamic symbols without loading it, so images of any architecture are
// checked, and a hostile file fails cleanly.
#ifndef HAL_TOOLS_HAL_PACK_CPU_IMAGE_CHECK_H_
#define HAL_TOOLS_HAL_PACK_CPU_IMAGE_CHECK_H_

#include <vector>

#include "absl/status/status.h"
#include "hal/kernel_bundle.h"

namespace hal::pack {

// Checks `image` (format "cpu-elf:...") for each of `kernels` it holds: all
// of them, or only its kernel_name. InvalidArgument naming the image, the
// kernel and both declarations when they differ, or when the image is not a
// 64-bit little-endian ELF shared object.
absl::Status CheckCpuImage(const KernelImage& image, const std::vector<KernelInfo>& kernels);

}  // namespace hal::pack

#endif  // HAL_TOOLS_HAL_PACK_CPU_IMAGE_CHECK_H_
