// Modules from SPIR-V (each kernel's parameters read from the module, its CPU
// twin found in the bundles HAL_FAKE_ZE_BUNDLES names), build logs, kernels
// and their arguments.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tests/fake_level_zero/fake_ze_api.h"
#include "tests/fake_level_zero/fake_ze_state.h"

namespace hal::fake::level_zero::api {
namespace {

// Hands the caller a build log holding `text` when it asked for one.
void GiveLog(ze_module_build_log_handle_t* out, std::string text) {
  if (out == nullptr) return;
  auto log = std::make_unique<_ze_module_build_log_handle_t>();
  log->text = std::move(text);
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *out = log.get();
  state.logs.emplace(log.get(), std::move(log));
}

ze_result_t RefuseModule(ze_module_build_log_handle_t* log, const std::string& why) {
  Fake().ledger.RecordViolation(why);
  GiveLog(log, absl::StrCat("hal fake Level Zero compiler: error: ", why));
  return ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
}

std::shared_ptr<_ze_kernel_handle_t> LiveKernel(ze_kernel_handle_t kernel) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.kernels.find(kernel);
  return it == state.kernels.end() ? nullptr : it->second;
}

}  // namespace

ze_result_t ZE_APICALL ModuleCreate(ze_context_handle_t context, ze_device_handle_t device,
                                    const ze_module_desc_t* desc, ze_module_handle_t* out,
                                    ze_module_build_log_handle_t* log) {
  FAKE_ZE_ENTER("zeModuleCreate");
  if (context != &Fake().context || !IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || out == nullptr || desc->pInputModule == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  if (desc->format != ZE_MODULE_FORMAT_IL_SPIRV) {
    return RefuseModule(log, "only SPIR-V modules (ZE_MODULE_FORMAT_IL_SPIRV) are built");
  }
  const absl::Span<const uint8_t> bytes(desc->pInputModule, desc->inputSize);
  absl::StatusOr<std::map<std::string, SpirvKernel>> kernels = ReadSpirvKernels(bytes);
  if (!kernels.ok()) return RefuseModule(log, std::string(kernels.status().message()));
  const char* bundles = std::getenv("HAL_FAKE_ZE_BUNDLES");
  absl::StatusOr<DeviceImageTwin> twin = FindTwin(bytes, bundles ? bundles : "");
  if (!twin.ok()) return RefuseModule(log, absl::StrCat("no CPU twin: ", twin.status().message()));
  for (const auto& [name, kernel] : *kernels) {
    if (twin->kernels.count(name) == 0) {
      return RefuseModule(log, absl::StrCat("the module's kernel \"", name,
                                            "\" is no kernel of bundle ", twin->bundle_path));
    }
  }
  auto module = std::make_unique<_ze_module_handle_t>();
  module->device = device;
  module->kernels = *std::move(kernels);
  module->twin = *std::move(twin);
  GiveLog(log, "");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *out = module.get();
  state.modules.emplace(module.get(), std::move(module));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL ModuleDestroy(ze_module_handle_t handle) {
  FAKE_ZE_ENTER("zeModuleDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.modules.find(handle);
  if (it == state.modules.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  for (const auto& [kernel, live] : state.kernels) {
    if (live->module == handle) {
      state.ledger.RecordViolation("zeModuleDestroy: a kernel of the module is alive");
      return ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE;
    }
  }
  state.modules.erase(it);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL ModuleBuildLogGetString(ze_module_build_log_handle_t log, size_t* size,
                                               char* text) {
  FAKE_ZE_ENTER("zeModuleBuildLogGetString");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (state.logs.count(log) == 0) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (size == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (text == nullptr) {
    *size = log->text.size() + 1;
    return ZE_RESULT_SUCCESS;
  }
  if (*size == 0) return ZE_RESULT_ERROR_INVALID_SIZE;
  const size_t written = std::min(*size - 1, log->text.size());
  std::memcpy(text, log->text.data(), written);
  text[written] = '\0';
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL ModuleBuildLogDestroy(ze_module_build_log_handle_t log) {
  FAKE_ZE_ENTER("zeModuleBuildLogDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  return state.logs.erase(log) > 0 ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
}

ze_result_t ZE_APICALL KernelCreate(ze_module_handle_t module, const ze_kernel_desc_t* desc,
                                    ze_kernel_handle_t* out) {
  FAKE_ZE_ENTER("zeKernelCreate");
  if (desc == nullptr || out == nullptr || desc->pKernelName == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (state.modules.count(module) == 0) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  const auto params = module->kernels.find(desc->pKernelName);
  if (params == module->kernels.end()) return ZE_RESULT_ERROR_INVALID_KERNEL_NAME;
  auto kernel = std::make_shared<_ze_kernel_handle_t>();
  kernel->module = module;
  kernel->name = desc->pKernelName;
  kernel->params = params->second;
  kernel->twin = module->twin.kernels.at(kernel->name);
  kernel->arguments.resize(kernel->params.layout.params.size());
  *out = kernel.get();
  state.kernels.emplace(kernel.get(), std::move(kernel));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL KernelDestroy(ze_kernel_handle_t kernel) {
  FAKE_ZE_ENTER("zeKernelDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  return state.kernels.erase(kernel) > 0 ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
}

ze_result_t ZE_APICALL KernelSetGroupSize(ze_kernel_handle_t handle, uint32_t x, uint32_t y,
                                          uint32_t z) {
  FAKE_ZE_ENTER("zeKernelSetGroupSize");
  std::shared_ptr<_ze_kernel_handle_t> kernel = LiveKernel(handle);
  if (kernel == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  const std::array<uint32_t, 3> size{x, y, z};
  const std::array<uint32_t, 3>& required = kernel->params.required_group_size;
  if (x == 0 || y == 0 || z == 0 || (required[0] != 0 && size != required)) {
    Fake().ledger.RecordViolation(absl::StrCat("kernel \"", kernel->name, "\": group size ", x, "x",
                                               y, "x", z, " (reqd_work_group_size ", required[0],
                                               "x", required[1], "x", required[2], ")"));
    return ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION;
  }
  std::lock_guard lock(kernel->mutex);
  kernel->group_size = size;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL KernelSetArgumentValue(ze_kernel_handle_t handle, uint32_t index,
                                              size_t size, const void* value) {
  FAKE_ZE_ENTER("zeKernelSetArgumentValue");
  std::shared_ptr<_ze_kernel_handle_t> kernel = LiveKernel(handle);
  if (kernel == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (index >= kernel->arguments.size()) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX;
  const KernelParam& param = kernel->params.layout.params[index];
  if (size != param.size) {
    Fake().ledger.RecordViolation(absl::StrCat("kernel \"", kernel->name, "\": argument ", index,
                                               " set with ", size, " bytes, the SPIR-V parameter ",
                                               "takes ", param.size));
    return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
  }
  if (value == nullptr && kernel->params.kinds[index] == ParamKind::kByValue) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  std::vector<uint8_t> bytes(size, 0);  // a null pointer argument is a null pointer
  if (value != nullptr) std::memcpy(bytes.data(), value, size);
  std::lock_guard lock(kernel->mutex);
  kernel->arguments[index] = std::move(bytes);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL KernelGetProperties(ze_kernel_handle_t handle,
                                           ze_kernel_properties_t* properties) {
  FAKE_ZE_ENTER("zeKernelGetProperties");
  std::shared_ptr<_ze_kernel_handle_t> kernel = LiveKernel(handle);
  if (kernel == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->numKernelArgs = static_cast<uint32_t>(kernel->arguments.size());
  properties->requiredGroupSizeX = kernel->params.required_group_size[0];
  properties->requiredGroupSizeY = kernel->params.required_group_size[1];
  properties->requiredGroupSizeZ = kernel->params.required_group_size[2];
  properties->requiredNumSubGroups = 0;
  properties->requiredSubgroupSize = 0;
  properties->maxSubgroupSize = 32;
  properties->maxNumSubgroups = 64;
  properties->localMemSize = 0;
  properties->privateMemSize = 0;
  properties->spillMemSize = 0;
  std::memset(&properties->uuid, 0, sizeof(properties->uuid));
  return ZE_RESULT_SUCCESS;
}

}  // namespace hal::fake::level_zero::api
