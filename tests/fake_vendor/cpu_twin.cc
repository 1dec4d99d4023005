#include "tests/fake_vendor/cpu_twin.h"

#include "absl/strings/str_cat.h"

namespace hal::fake {

absl::StatusOr<std::shared_ptr<CpuTwinImage>> CpuTwinImage::Load(absl::Span<const uint8_t> bytes) {
  using driver_support::MemorySharedObject;
  MemorySharedObject::LoadError error;
  auto object = MemorySharedObject::Load(bytes.data(), bytes.size(), "hal-fake-cpu-twin", &error);
  if (object == nullptr) {
    switch (error.step) {
      case MemorySharedObject::Step::kMemfdCreate:
        return absl::InternalError(absl::StrCat("memfd_create: ", error.reason));
      case MemorySharedObject::Step::kWrite:
        return absl::InternalError(absl::StrCat("writing a CPU twin image: ", error.reason));
      case MemorySharedObject::Step::kDlopen:
        break;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("the CPU twin image cannot be loaded: ", error.reason));
  }
  return std::shared_ptr<CpuTwinImage>(new CpuTwinImage(std::move(object)));
}

absl::StatusOr<CpuTwinKernel> CpuTwinImage::Kernel(absl::string_view name) const {
  const std::string function_name(name);
  void* function = object_->Symbol(function_name.c_str());
  if (function == nullptr) {
    return absl::NotFoundError(absl::StrCat("the CPU twin exports no kernel \"", name, "\""));
  }
  const std::string signature_name = absl::StrCat(HAL_CPU_KERNEL_SIGNATURE_PREFIX, name);
  const auto* signature =
      static_cast<const hal_cpu_kernel_signature*>(object_->Symbol(signature_name.c_str()));
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
