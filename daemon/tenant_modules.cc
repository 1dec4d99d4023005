#include "daemon/tenant_modules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/device_listing.h"
#include "hal/kernel_bundle.h"
#include "hal/physical_device.h"
#include "runtime/spirv_interface.h"

namespace hal::daemon {
namespace {

// No image holds a kernel of this name (no vendor's compiler makes a symbol
// with '-'), so a trial load of it reaches the driver's module_load and then
// fails in kernel_get with NotFound.
constexpr char kTrialKernel[] = "hald-module-check";

absl::StatusOr<KernelBundle> OneKernelBundle(const ModuleImage& image, KernelInfo info) {
  return KernelBundle::Create({std::move(info)}, {KernelImage{image.format, "", image.data}});
}

// SPIR-V is checked here rather than by a trial load: the runtime's check of
// a trial kernel would hold the image's entry point against a made-up
// signature.
absl::Status CheckSpirv(const ModuleImage& image, spirv::Target target) {
  if (std::string problem = spirv::ValidateSpirv(image.data.data(), image.data.size(), target);
      !problem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", image.format, " image is not valid SPIR-V: ", problem));
  }
  std::vector<uint32_t> words(image.data.size() / sizeof(uint32_t));
  std::copy_n(image.data.data(), words.size() * sizeof(uint32_t),
              reinterpret_cast<uint8_t*>(words.data()));
  std::vector<spirv::EntryPointInterface> entry_points;
  if (!spirv::ReadComputeEntryPoints(words, &entry_points)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", image.format, " image's instruction stream is malformed"));
  }
  if (target == spirv::Target::kVulkan1_2 && entry_points.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", image.format, " image has no compute entry point"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckModuleImage(Device& device, const ModuleImage& image, bool native_kernels,
                              absl::string_view virtual_device) {
  const std::vector<std::string>& formats = device.physical_device().properties().kernel_formats;
  if (std::find(formats.begin(), formats.end(), image.format) == formats.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual device ", virtual_device, " takes kernel formats [",
                     absl::StrJoin(TenantKernelFormats(device.physical_device().properties(),
                                                       native_kernels),
                                   ", "),
                     "], not \"", image.format, "\""));
  }
  if (IsNativeKernelFormat(image.format) && !native_kernels) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a ", image.format, " image is native code that would run inside hald; the pool file ",
        "does not allow native kernels on virtual device ", virtual_device));
  }
  if (image.data.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", image.format, " image is empty"));
  }
  if (std::optional<spirv::Target> target = spirv::TargetOfFormat(image.format)) {
    return CheckSpirv(image, *target);
  }
  absl::StatusOr<KernelBundle> bundle = OneKernelBundle(image, KernelInfo{kTrialKernel});
  if (!bundle.ok()) return bundle.status();
  absl::Status trial = device.LoadKernel(*bundle, kTrialKernel).status();
  // NotFound comes from kernel_get, after the driver loaded the module.
  if (trial.ok() || absl::IsNotFound(trial)) return absl::OkStatus();
  return trial;
}

absl::StatusOr<std::shared_ptr<Kernel>> LoadModuleKernel(
    Device& device, const ModuleImage& image, const std::string& name,
    const remote::v1::KernelSignature& signature) {
  KernelInfo info;
  info.name = name;
  info.binding_count = signature.binding_count();
  info.push_constant_size = signature.push_constant_size();
  if (signature.workgroup_size_size() != 3) {
    return absl::InvalidArgumentError("KernelGet.signature.workgroup_size must have 3 values");
  }
  for (int d = 0; d < 3; ++d) info.workgroup_size[d] = signature.workgroup_size(d);
  absl::StatusOr<KernelBundle> bundle = OneKernelBundle(image, std::move(info));
  if (!bundle.ok()) return bundle.status();
  return device.LoadKernel(*bundle, name);
}

}  // namespace hal::daemon
