// Code objects (an hsaco, run through its CPU twin), functions, launches.
// A launch's arguments are checked against the code object's own metadata
// before the twin runs, so a wrong packing fails here as it would corrupt a
// real kernel's arguments.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/gpu_core/elf_image.h"
#include "backends/gpu_core/hsaco.h"
#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

using gpu::ElfImageSize;
using gpu::LooksLikeElf;
using gpu::LooksLikeOffloadBundle;
using gpu::OffloadBundleSize;

constexpr size_t kImageLimit = size_t{1} << 30;

hipError_t Refuse(hipError_t error, const std::string& why) {
  Fake().ledger.RecordViolation(why);
  return error;
}

// The bytes of an image known only by its start: a bundle's extent from its
// header, an ELF's from its section table.
absl::StatusOr<absl::Span<const uint8_t>> ImageBytes(const void* image) {
  const auto* bytes = static_cast<const uint8_t*>(image);
  absl::StatusOr<size_t> size = LooksLikeElf(image)            ? ElfImageSize(bytes, kImageLimit)
                                : LooksLikeOffloadBundle(image) ? OffloadBundleSize(bytes, kImageLimit)
                                : absl::InvalidArgumentError(
                                      "neither a clang offload bundle nor an AMDGPU ELF");
  if (!size.ok()) return size.status();
  return absl::MakeConstSpan(bytes, *size);
}

// The function if it belongs to a live module; copied so that a concurrent
// unload cannot pull it away.
std::optional<ihipModuleSymbol_t> LiveFunction(hipFunction_t function) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (function == nullptr || state.modules.count(function->module) == 0) return std::nullopt;
  return ihipModuleSymbol_t{function->module, function->name, function->layout, function->twin};
}

// kernelParams as the launch check reads them: given, or made from `extra`'s
// argument buffer (HIP_LAUNCH_PARAM_BUFFER_POINTER/SIZE/END) at the offsets
// the metadata declares.
absl::StatusOr<std::vector<void*>> Arguments(const ihipModuleSymbol_t& function,
                                             void** params, void** extra) {
  const KernelParamLayout& layout = function.layout;
  if (params != nullptr) {
    if (extra != nullptr) return absl::InvalidArgumentError("both kernelParams and extra given");
    return std::vector<void*>(params, params + layout.params.size());
  }
  if (extra == nullptr) return std::vector<void*>();
  uint8_t* buffer = nullptr;
  const size_t* size = nullptr;
  for (size_t i = 0; extra[i] != HIP_LAUNCH_PARAM_END; i += 2) {
    if (extra[i] == HIP_LAUNCH_PARAM_BUFFER_POINTER) {
      buffer = static_cast<uint8_t*>(extra[i + 1]);
    } else if (extra[i] == HIP_LAUNCH_PARAM_BUFFER_SIZE) {
      size = static_cast<const size_t*>(extra[i + 1]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("`extra` entry ", i, " is not a HIP_LAUNCH_PARAM"));
    }
  }
  if (buffer == nullptr || size == nullptr || *size < layout.total_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel \"", function.name, "\": `extra` holds ", size ? *size : 0,
        " argument bytes, its metadata declares ", layout.total_size));
  }
  std::vector<void*> pointers;
  for (const KernelParam& param : layout.params) pointers.push_back(buffer + param.offset);
  return pointers;
}

}  // namespace
}  // namespace hal::fake::hip

using hal::fake::hip::Fake;

FAKE_HIP_EXPORT hipError_t hipModuleLoadData(hipModule_t* module, const void* image) {
  FAKE_HIP_ENTER_INITIALIZED("hipModuleLoadData");
  if (module == nullptr || image == nullptr) return hipErrorInvalidValue;
  const int current = hal::fake::hip::CurrentDevice();
  const hal::fake::hip::Device* device = hal::fake::hip::DeviceAt(current);
  if (device == nullptr) return hipErrorInvalidDevice;
  if (const hipError_t error = hal::fake::hip::DeviceError(current)) return error;
  absl::StatusOr<absl::Span<const uint8_t>> bytes = hal::fake::hip::ImageBytes(image);
  if (!bytes.ok()) return hal::fake::hip::Refuse(hipErrorInvalidImage, std::string(bytes.status().message()));
  absl::StatusOr<absl::Span<const uint8_t>> code_object =
      hal::gpu::CodeObjectFor(*bytes, device->arch);
  if (!code_object.ok()) {
    return hal::fake::hip::Refuse(code_object.status().code() == absl::StatusCode::kNotFound
                                      ? hipErrorNoBinaryForGpu
                                      : hipErrorInvalidImage,
                                  std::string(code_object.status().message()));
  }
  absl::StatusOr<hal::gpu::CodeObjectMetadata> metadata =
      hal::gpu::ReadCodeObject(*code_object);
  if (!metadata.ok()) {
    return hal::fake::hip::Refuse(hipErrorInvalidImage, std::string(metadata.status().message()));
  }
  const char* bundles = std::getenv("HAL_FAKE_HIP_BUNDLES");
  absl::StatusOr<hal::fake::DeviceImageTwin> twin =
      hal::fake::FindTwin(*bytes, bundles != nullptr ? bundles : "");
  if (!twin.ok()) {
    return hal::fake::hip::Refuse(
        hipErrorInvalidImage,
        absl::StrCat("no CPU twin of this image (HAL_FAKE_HIP_BUNDLES): ", twin.status().message()));
  }
  for (const auto& [name, layout] : metadata->kernels) {
    if (twin->kernels.count(name) == 0) {
      return hal::fake::hip::Refuse(
          hipErrorInvalidImage,
          absl::StrCat("kernel \"", name, "\" has no CPU twin in ", twin->bundle_path));
    }
  }
  auto loaded = std::make_unique<ihipModule_t>();
  loaded->device = current;
  loaded->layouts = std::move(metadata->kernels);
  loaded->twin = *std::move(twin);
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  *module = loaded.get();
  state.modules.emplace(loaded.get(), std::move(loaded));
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipModuleUnload(hipModule_t module) {
  FAKE_HIP_ENTER_INITIALIZED("hipModuleUnload");
  std::unique_ptr<ihipModule_t> doomed;
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.modules.find(module);
  if (it == state.modules.end()) return hipErrorInvalidHandle;
  doomed = std::move(it->second);
  state.modules.erase(it);
  return hipSuccess;  // launches still queued hold their twin's image
}

FAKE_HIP_EXPORT hipError_t hipModuleGetFunction(hipFunction_t* function, hipModule_t module,
                                                const char* kname) {
  FAKE_HIP_ENTER_INITIALIZED("hipModuleGetFunction");
  if (function == nullptr || kname == nullptr) return hipErrorInvalidValue;
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.modules.find(module);
  if (it == state.modules.end()) return hipErrorInvalidHandle;
  ihipModule_t& loaded = *it->second;
  const auto layout = loaded.layouts.find(kname);
  if (layout == loaded.layouts.end()) return hipErrorNotFound;
  std::unique_ptr<ihipModuleSymbol_t>& made = loaded.functions[kname];
  if (made == nullptr) {
    made = std::make_unique<ihipModuleSymbol_t>(ihipModuleSymbol_t{
        &loaded, kname, layout->second, loaded.twin.kernels.at(kname)});
  }
  *function = made.get();
  return hipSuccess;
}

// What the real runtime answers that the fake can know: the most threads per
// block, from the code object's .max_flat_workgroup_size.
FAKE_HIP_EXPORT hipError_t hipFuncGetAttribute(int* value, hipFunction_attribute attrib,
                                               hipFunction_t hfunc) {
  FAKE_HIP_ENTER_INITIALIZED("hipFuncGetAttribute");
  const std::optional<ihipModuleSymbol_t> function = hal::fake::hip::LiveFunction(hfunc);
  if (!function) return hipErrorInvalidHandle;
  if (value == nullptr || attrib != HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK) {
    return hipErrorInvalidValue;
  }
  const uint32_t declared = function->layout.max_threads_per_block;
  *value = declared == 0 ? 1024 : static_cast<int>(declared);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipModuleLaunchKernel(hipFunction_t f, unsigned int gridDimX,
                                                 unsigned int gridDimY, unsigned int gridDimZ,
                                                 unsigned int blockDimX, unsigned int blockDimY,
                                                 unsigned int blockDimZ,
                                                 unsigned int sharedMemBytes, hipStream_t stream,
                                                 void** kernelParams, void** extra) {
  FAKE_HIP_ENTER_INITIALIZED("hipModuleLaunchKernel");
  const std::optional<ihipModuleSymbol_t> function = hal::fake::hip::LiveFunction(f);
  if (!function) return hipErrorInvalidHandle;
  std::shared_ptr<ihipStream_t> resolved = hal::fake::hip::ResolveStream(stream);
  if (!resolved) return hipErrorInvalidHandle;
  if (const hipError_t error = hal::fake::hip::DeviceError(resolved->device)) return error;
  if (resolved->device != function->module->device) {
    return hal::fake::hip::Refuse(
        hipErrorInvalidHandle,
        absl::StrCat("kernel \"", function->name, "\": launched on a stream of another device"));
  }
  if (sharedMemBytes != 0) {
    return hal::fake::hip::Refuse(
        hipErrorInvalidValue,
        absl::StrCat("kernel \"", function->name,
                     "\": launched with dynamic shared memory, which the kernel ABI never uses"));
  }
  absl::StatusOr<std::vector<void*>> arguments =
      hal::fake::hip::Arguments(*function, kernelParams, extra);
  if (!arguments.ok()) {
    return hal::fake::hip::Refuse(hipErrorInvalidValue, std::string(arguments.status().message()));
  }
  const hal::fake::LaunchShape shape{{gridDimX, gridDimY, gridDimZ},
                                     {blockDimX, blockDimY, blockDimZ}};
  absl::StatusOr<hal::fake::CpuLaunch> launch = hal::fake::CheckLaunch(
      function->twin, function->layout, arguments->empty() ? nullptr : arguments->data(), shape,
      Fake().registry);
  if (!launch.ok()) {
    return hal::fake::hip::Refuse(hipErrorInvalidValue, std::string(launch.status().message()));
  }
  hal::fake::hip::Device* device = hal::fake::hip::DeviceAt(resolved->device);
  // The injected fault is claimed here, so it is this launch that fails.
  const bool fault = device->fault_pending.exchange(false);
  resolved->worker.Enqueue([device, fault, twin = function->twin, launch = *std::move(launch)] {
    if (device->sticky_error.load() != hipSuccess) return;
    if (fault) {
      // What a memory fault does to a real device: every later call on it
      // answers the error.
      device->sticky_error = hipErrorIllegalAddress;
      return;
    }
    hal::fake::RunOnCpu(twin, launch);
  });
  return hipSuccess;
}
