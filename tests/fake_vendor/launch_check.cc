#include "tests/fake_vendor/launch_check.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace hal::fake {
namespace {

std::string Dims(const uint32_t* dims) { return absl::StrCat(dims[0], "x", dims[1], "x", dims[2]); }

absl::Status CheckLayoutAgainstSignature(const CpuTwinKernel& kernel,
                                         const KernelParamLayout& layout) {
  const hal_cpu_kernel_signature& signature = kernel.signature;
  const size_t expected = signature.binding_count + (signature.push_constant_size > 0 ? 1 : 0);
  if (layout.params.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel \"", kernel.name, "\": the device image declares ", layout.params.size(),
        " parameters, the kernel ABI needs ", expected, " (", signature.binding_count,
        " buffer pointers", signature.push_constant_size > 0 ? " + a push-constant block" : "",
        ")"));
  }
  for (uint32_t i = 0; i < signature.binding_count; ++i) {
    if (layout.params[i].size != sizeof(uint64_t)) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", kernel.name, "\": parameter ", i, " is ",
                       layout.params[i].size, " bytes, a buffer pointer is 8"));
    }
  }
  if (signature.push_constant_size > 0 &&
      layout.params.back().size != signature.push_constant_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel \"", kernel.name, "\": the push-constant parameter is ", layout.params.back().size,
        " bytes in the device image, ", signature.push_constant_size, " in the kernel ABI"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CpuLaunch> CheckLaunch(const CpuTwinKernel& kernel, const KernelParamLayout& layout,
                                      void* const* params, const LaunchShape& shape,
                                      const AllocationRegistry& registry) {
  if (absl::Status status = CheckLayoutAgainstSignature(kernel, layout); !status.ok()) {
    return status;
  }
  const hal_cpu_kernel_signature& signature = kernel.signature;
  for (int axis = 0; axis < 3; ++axis) {
    if (shape.block[axis] != signature.workgroup_size[axis]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kernel \"", kernel.name, "\": block ", Dims(shape.block.data()),
          " differs from its workgroup size ", Dims(signature.workgroup_size)));
    }
    if (shape.grid[axis] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", kernel.name, "\": grid ", Dims(shape.grid.data())));
    }
  }
  if (!layout.params.empty() && params == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kernel \"", kernel.name, "\" takes ",
                                                   layout.params.size(),
                                                   " parameters; kernelParams is NULL"));
  }
  for (size_t i = 0; i < layout.params.size(); ++i) {
    if (params[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("kernel \"", kernel.name, "\" takes ",
                                                     layout.params.size(),
                                                     " parameters; kernelParams[", i,
                                                     "] is NULL"));
    }
  }
  CpuLaunch launch;
  launch.workgroup_count = shape.grid;
  for (uint32_t i = 0; i < signature.binding_count; ++i) {
    uint64_t address = 0;
    std::memcpy(&address, params[i], sizeof(address));
    const std::optional<AllocationRange> range = registry.Find(address);
    if (!range) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", kernel.name, "\": parameter ", i, " (0x", absl::Hex(address),
                       ") points into no live allocation"));
    }
    launch.bindings.push_back(reinterpret_cast<void*>(address));
    launch.binding_sizes.push_back(range->base + range->size - address);
  }
  if (signature.push_constant_size > 0) {
    const auto* bytes = static_cast<const uint8_t*>(params[signature.binding_count]);
    launch.push_constants.assign(bytes, bytes + signature.push_constant_size);
  }
  return launch;
}

}  // namespace hal::fake
