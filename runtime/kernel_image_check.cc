#include "runtime/kernel_image_check.h"

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/spirv_interface.h"

namespace hal::internal {

absl::Status CheckKernelImage(const KernelImage& image, const KernelInfo& kernel,
                              absl::string_view device_label) {
  const std::optional<spirv::Target> target = spirv::TargetOfFormat(image.format);
  if (!target) return absl::OkStatus();
  auto refuse = [&](absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat("the ", image.format, " image of kernel \"",
                                                   kernel.name, "\" cannot be loaded on device ",
                                                   device_label, ": ", problem));
  };
  if (std::string problem = spirv::ValidateSpirv(image.data.data(), image.data.size(), *target);
      !problem.empty()) {
    return refuse(absl::StrCat("it is not valid SPIR-V for ",
                               *target == spirv::Target::kVulkan1_2 ? "Vulkan 1.2" : "OpenCL 1.2",
                               ": ", problem));
  }
  std::vector<uint32_t> words(image.data.size() / sizeof(uint32_t));
  std::memcpy(words.data(), image.data.data(), words.size() * sizeof(uint32_t));
  hal_kernel_signature signature{};
  signature.binding_count = kernel.binding_count;
  signature.push_constant_size = kernel.push_constant_size;
  for (int d = 0; d < 3; ++d) signature.workgroup_size[d] = kernel.workgroup_size[d];
  // OpenCL kernels take arguments, not descriptors.
  if (*target == spirv::Target::kOpenCl1_2) {
    std::vector<spirv::KernelEntryPoint> kernels;
    if (!spirv::ReadKernelEntryPoints(words, &kernels)) {
      return refuse("its instruction stream is malformed");
    }
    std::string mismatch = spirv::CheckKernelEntryPoint(kernels, kernel.name, signature);
    return mismatch.empty() ? absl::OkStatus() : refuse(mismatch);
  }
  std::vector<spirv::EntryPointInterface> entry_points;
  if (!spirv::ReadComputeEntryPoints(words, &entry_points)) {
    return refuse("its instruction stream is malformed");
  }
  std::string error;
  const spirv::EntryPointInterface* entry_point =
      spirv::FindEntryPoint(entry_points, kernel.name, &error);
  if (entry_point == nullptr) return refuse(error);
  if (std::string mismatch = spirv::CheckSignature(*entry_point, signature); !mismatch.empty()) {
    return refuse(mismatch);
  }
  return absl::OkStatus();
}

}  // namespace hal::internal
