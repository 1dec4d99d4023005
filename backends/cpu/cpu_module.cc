#include "backends/cpu/cpu_module.h"

#include <algorithm>
#include <string>
#include <utility>

#include "backends/cpu/cpu_error.h"

namespace hal::cpu {
namespace {

std::string Describe(uint32_t binding_count, uint32_t push_constant_size,
                     const uint32_t (&workgroup_size)[3]) {
  return std::to_string(binding_count) + " bindings, " + std::to_string(push_constant_size) +
         " push-constant bytes, workgroup size " + std::to_string(workgroup_size[0]) + "x" +
         std::to_string(workgroup_size[1]) + "x" + std::to_string(workgroup_size[2]);
}

// The kernel's own declaration (HAL_CPU_KERNEL_SIGNATURE) must agree with the
// bundle's: a kernel given fewer bindings or push-constant bytes than it
// reads would read past them.
hal_result CheckSignature(const driver_support::MemorySharedObject& object, const char* name,
                          const hal_kernel_signature& expected) {
  const std::string symbol = std::string(HAL_CPU_KERNEL_SIGNATURE_PREFIX) + name;
  const auto* declared =
      static_cast<const hal_cpu_kernel_signature*>(object.Symbol(symbol.c_str()));
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
  using driver_support::MemorySharedObject;
  MemorySharedObject::LoadError error;
  auto object = MemorySharedObject::Load(image, image_size, "hal-cpu-module", &error);
  if (object == nullptr) {
    switch (error.step) {
      case MemorySharedObject::Step::kMemfdCreate:
        return Fail(HAL_ERROR_UNAVAILABLE,
                    "memfd_create for a CPU kernel image failed: " + error.reason);
      case MemorySharedObject::Step::kWrite:
        return Fail(HAL_ERROR_OUT_OF_MEMORY, "writing a CPU kernel image of " +
                                                 std::to_string(image_size) +
                                                 " bytes to a memfd failed: " + error.reason);
      case MemorySharedObject::Step::kDlopen:
        break;
    }
    return Fail(HAL_ERROR_INVALID_ARGUMENT, "the CPU kernel image (" + std::to_string(image_size) +
                                                " bytes) cannot be loaded: " + error.reason);
  }
  *out_module = std::make_unique<Module>(std::move(object));
  return HAL_SUCCESS;
}

Module::Module(std::unique_ptr<driver_support::MemorySharedObject> object)
    : object_(std::move(object)) {}

hal_result Module::GetKernel(const char* name, const hal_kernel_signature& signature,
                             Kernel** out_kernel) {
  void* symbol = object_->Symbol(name);
  if (symbol == nullptr) {
    return Fail(HAL_ERROR_NOT_FOUND,
                std::string("the CPU kernel image exports no kernel \"") + name + "\"");
  }
  if (const hal_result result = CheckSignature(*object_, name, signature); result != HAL_SUCCESS) {
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
