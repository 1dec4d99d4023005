// libFuzzer target for the SPIR-V path every kernel image takes before a
// driver sees it (runtime/kernel_image_check.cc): SPIRV-Tools' validator,
// then the interface reader and the signature check. Any input must be
// refused with InvalidArgument or accepted; the interface reader must also
// survive input the validator refused (a driver may call it directly).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hal/kernel_bundle.h"
#include "runtime/kernel_image_check.h"
#include "runtime/spirv_interface.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint32_t> words(size / sizeof(uint32_t));
  if (!words.empty()) std::memcpy(words.data(), data, words.size() * sizeof(uint32_t));
  std::vector<hal::spirv::EntryPointInterface> entry_points;
  if (hal::spirv::ReadComputeEntryPoints(words, &entry_points)) {
    hal_kernel_signature signature{};
    signature.binding_count = 4;
    signature.push_constant_size = 16;
    for (uint32_t& extent : signature.workgroup_size) extent = 1;
    for (const hal::spirv::EntryPointInterface& entry_point : entry_points) {
      hal::spirv::CheckSignature(entry_point, signature);
    }
    std::vector<hal::spirv::KernelEntryPoint> kernels;
    hal::spirv::ReadKernelEntryPoints(words, &kernels);
    hal::spirv::CheckKernelEntryPoint(kernels, "main", signature);
  }
  hal::KernelInfo kernel{"main", 4, 16, {1, 1, 1}};
  for (const char* format : {"spirv-vulkan", "spirv-opencl"}) {
    hal::KernelImage image{format, "main", std::vector<uint8_t>(data, data + size)};
    const absl::Status status = hal::internal::CheckKernelImage(image, kernel, "fuzz:0");
    if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) std::abort();
  }
  return 0;
}
