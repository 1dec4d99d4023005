// Modules from `spirv-opencl` images (ZE_MODULE_FORMAT_IL_SPIRV), built for
// every target of the context with the build log in a failure's message;
// kernels checked against the signature the bundle declares (argument count
// and required group size as zeKernelGetProperties reads them from the
// module, argument sizes as zeKernelSetArgumentValue checks them) with their
// group size set once.
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"

namespace hal::level_zero {
namespace {

constexpr char kFormat[] = "spirv-opencl";

std::string BuildLog(ze_module_build_log_handle_t log) {
  if (log == nullptr) return "";
  size_t size = 0;
  std::string text;
  if (Api().zeModuleBuildLogGetString(log, &size, nullptr) == ZE_RESULT_SUCCESS && size > 0) {
    text.resize(size);
    if (Api().zeModuleBuildLogGetString(log, &size, text.data()) != ZE_RESULT_SUCCESS) text.clear();
    text.resize(strnlen(text.c_str(), text.size()));
  }
  Api().zeModuleBuildLogDestroy(log);
  return text;
}

void DestroyModules(const Module& module) {
  for (ze_module_handle_t handle : module.modules) Api().zeModuleDestroy(handle);
}

void DestroyKernels(const Kernel& kernel) {
  for (ze_kernel_handle_t handle : kernel.kernels) Api().zeKernelDestroy(handle);
}

std::string Dims(const uint32_t (&dims)[3]) {
  return std::to_string(dims[0]) + "x" + std::to_string(dims[1]) + "x" + std::to_string(dims[2]);
}

// The size of by-value argument `index`, found by offering every size a
// push-constant block can have: Level Zero checks an argument's size
// (ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE) but does not report it.
// 0 when none fits.
uint32_t ArgumentSize(ze_kernel_handle_t kernel, uint32_t index) {
  const std::array<std::byte, HAL_MAX_PUSH_CONSTANT_SIZE * 2> zeros{};
  for (uint32_t size = 1; size <= zeros.size(); ++size) {
    if (Api().zeKernelSetArgumentValue(kernel, index, size, zeros.data()) == ZE_RESULT_SUCCESS) {
      return size;
    }
  }
  return 0;
}

// The kernel ABI in the image's own terms: `binding_count` pointer
// arguments, then one push-constant struct of push_constant_size bytes when
// the signature has any. Refused naming both sides when the image differs.
hal_result CheckArguments(ze_kernel_handle_t kernel, const std::string& name,
                          const hal_kernel_signature& signature, uint32_t arguments) {
  const uint32_t bindings = signature.binding_count;
  if (arguments < bindings || arguments > bindings + 1) {
    return driver_support::Fail(
        HAL_ERROR_INVALID_ARGUMENT,
        "kernel \"" + name + "\" takes " + std::to_string(arguments) +
            " arguments in its spirv-opencl image; its signature has " + std::to_string(bindings) +
            " bindings and " + std::to_string(signature.push_constant_size) +
            " push-constant bytes");
  }
  for (uint32_t i = 0; i < bindings; ++i) {
    if (Api().zeKernelSetArgumentValue(kernel, i, sizeof(void*), nullptr) != ZE_RESULT_SUCCESS) {
      return driver_support::Fail(HAL_ERROR_INVALID_ARGUMENT,
                                  "kernel \"" + name + "\": argument " + std::to_string(i) +
                                      " of its spirv-opencl image is no buffer pointer (binding " +
                                      std::to_string(i) + " of its signature)");
    }
  }
  if (arguments > bindings && signature.push_constant_size > 0) {
    const std::array<std::byte, HAL_MAX_PUSH_CONSTANT_SIZE> zeros{};
    if (Api().zeKernelSetArgumentValue(kernel, bindings, signature.push_constant_size,
                                       zeros.data()) == ZE_RESULT_SUCCESS) {
      return HAL_SUCCESS;
    }
  }
  const uint32_t image_constants = arguments > bindings ? ArgumentSize(kernel, bindings) : 0;
  if (image_constants != signature.push_constant_size) {
    return driver_support::Fail(
        HAL_ERROR_INVALID_ARGUMENT,
        "kernel \"" + name + "\" takes a push-constant struct of " +
            std::to_string(image_constants) + " bytes in its spirv-opencl image; its signature "
            "declares " + std::to_string(signature.push_constant_size) + " push-constant bytes");
  }
  return HAL_SUCCESS;
}

// Creates the kernel named `name` on every module and checks it against the
// signature the bundle declares.
hal_result MakeKernel(Module& module, const std::string& name, Kernel* kernel) {
  gpu::ContextHealth* health = &module.context->health;
  const hal_kernel_signature& signature = kernel->signature;
  for (ze_module_handle_t handle : module.modules) {
    const ze_kernel_desc_t desc{ZE_STRUCTURE_TYPE_KERNEL_DESC, nullptr, 0, name.c_str()};
    ze_kernel_handle_t ze_kernel = nullptr;
    const ze_result_t created = Api().zeKernelCreate(handle, &desc, &ze_kernel);
    if (created == ZE_RESULT_ERROR_INVALID_KERNEL_NAME) {
      return driver_support::Fail(HAL_ERROR_NOT_FOUND,
                                  "the spirv-opencl module has no kernel \"" + name + "\"");
    }
    if (const hal_result r = ZeErrors().Check(created, "zeKernelCreate", "", health)) return r;
    kernel->kernels.push_back(ze_kernel);
    ze_kernel_properties_t props{};
    props.stype = ZE_STRUCTURE_TYPE_KERNEL_PROPERTIES;
    if (const hal_result r = HAL_ZE(health, zeKernelGetProperties, ze_kernel, &props)) return r;
    if (const hal_result r = CheckArguments(ze_kernel, name, signature, props.numKernelArgs)) {
      return r;
    }
    const uint32_t required[3] = {props.requiredGroupSizeX, props.requiredGroupSizeY,
                                  props.requiredGroupSizeZ};
    if (required[0] != 0 && std::memcmp(required, signature.workgroup_size, sizeof(required)) != 0) {
      return driver_support::Fail(HAL_ERROR_INVALID_ARGUMENT,
                                  "kernel \"" + name + "\" requires workgroups of " +
                                      Dims(required) + " in its spirv-opencl image; its " +
                                      "signature declares " + Dims(signature.workgroup_size));
    }
    if (const hal_result r =
            HAL_ZE(health, zeKernelSetGroupSize, ze_kernel, signature.workgroup_size[0],
                   signature.workgroup_size[1], signature.workgroup_size[2])) {
      return r;
    }
  }
  return HAL_SUCCESS;
}

}  // namespace

hal_result ModuleLoad(hal_drv_context* handle, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  return Guarded([&] {
    Context& context = *Unwrap(handle);
    if (const hal_result r = context.health.Check()) return r;
    if (std::strcmp(desc->format, kFormat) != 0) {
      return driver_support::Fail(HAL_ERROR_INVALID_ARGUMENT,
                                  std::string("the Level Zero driver takes spirv-opencl images, "
                                              "not ") + desc->format);
    }
    auto module = std::make_unique<Module>();
    module->context = &context;
    const ze_module_desc_t module_desc{ZE_STRUCTURE_TYPE_MODULE_DESC,
                                       nullptr,
                                       ZE_MODULE_FORMAT_IL_SPIRV,
                                       desc->image_size,
                                       static_cast<const uint8_t*>(desc->image),
                                       "",
                                       nullptr};
    for (ze_device_handle_t target : context.targets) {
      ze_module_handle_t ze_module = nullptr;
      ze_module_build_log_handle_t log = nullptr;
      const ze_result_t built =
          Api().zeModuleCreate(context.device->context, target, &module_desc, &ze_module, &log);
      const std::string text = BuildLog(log);
      if (built != ZE_RESULT_SUCCESS) {
        DestroyModules(*module);
        const std::string message =
            ZeErrors().Describe("zeModuleCreate", built, text.empty() ? "" : "build log: " + text);
        if (ZeErrors().IsSticky(built)) context.health.MarkLost(message);
        return driver_support::Fail(built == ZE_RESULT_ERROR_MODULE_BUILD_FAILURE
                                        ? HAL_ERROR_INVALID_ARGUMENT
                                        : ZeErrors().ResultOf(built),
                                    message);
      }
      module->modules.push_back(ze_module);
    }
    *out_module = Wrap<hal_drv_module>(std::move(module));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* handle) {
  std::unique_ptr<Module> module(Unwrap(handle));
  for (const auto& [key, kernel] : module->kernels) DestroyKernels(*kernel);
  DestroyModules(*module);
}

hal_result KernelGet(hal_drv_module* handle, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  return Guarded([&] {
    Module& module = *Unwrap(handle);
    std::string key = desc->name;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(&desc->signature), sizeof(desc->signature));
    std::lock_guard lock(module.mutex);
    std::unique_ptr<Kernel>& slot = module.kernels[key];
    if (slot == nullptr) {
      auto kernel = std::make_unique<Kernel>();
      kernel->signature = desc->signature;
      if (const hal_result r = MakeKernel(module, desc->name, kernel.get())) {
        DestroyKernels(*kernel);
        module.kernels.erase(key);
        return r;
      }
      slot = std::move(kernel);
    }
    *out_kernel = Wrap<hal_drv_kernel>(slot.get());
    return HAL_SUCCESS;
  });
}

}  // namespace hal::level_zero
