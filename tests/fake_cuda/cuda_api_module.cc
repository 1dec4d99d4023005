// Modules (cubin or PTX, each run through its CPU twin), functions, launches.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/gpu_core/elf_image.h"
#include "tests/fake_cuda/cubin_params.h"
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"
#include "tests/fake_cuda/ptx_params.h"

namespace hal::fake::cuda {
namespace {

using gpu::ElfImageSize;
using gpu::LooksLikeElf;

constexpr size_t kImageLimit = size_t{1} << 30;

// Writes `log` where the caller's CU_JIT_ERROR_LOG_BUFFER options say, as
// the JIT does, and updates the size option to the bytes written.
void WriteJitLog(const std::string& log, unsigned int count, const CUjit_option* options,
                 void** values) {
  if (options == nullptr || values == nullptr) return;
  char* buffer = nullptr;
  size_t* size_slot = nullptr;
  for (unsigned int i = 0; i < count; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER) buffer = static_cast<char*>(values[i]);
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) {
      size_slot = reinterpret_cast<size_t*>(&values[i]);
    }
  }
  if (buffer == nullptr || size_slot == nullptr || *size_slot == 0) return;
  const size_t written = std::min(log.size(), *size_slot - 1);
  std::memcpy(buffer, log.data(), written);
  buffer[written] = '\0';
  *size_slot = written + 1;
}

struct ReadImage {
  std::map<std::string, KernelParamLayout> layouts;
  absl::Span<const uint8_t> bytes;
};

CUresult Refuse(CUresult error, const std::string& why, unsigned int count,
                const CUjit_option* options, void** values) {
  WriteJitLog(absl::StrCat("hal fake libcuda (", error == CUDA_ERROR_INVALID_PTX ? "ptxas" : "cubin",
                           "): error: ", why),
              count, options, values);
  Fake().ledger.RecordViolation(why);
  return error;
}

CUresult CUDAAPI ModuleLoadDataEx(CUmodule* handle, const void* image, unsigned int count,
                                  CUjit_option* options, void** values) {
  FAKE_CU_ENTER_INITIALIZED("cuModuleLoadDataEx");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (handle == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
  const bool cubin = LooksLikeElf(image);
  const CUresult malformed = cubin ? CUDA_ERROR_INVALID_IMAGE : CUDA_ERROR_INVALID_PTX;
  ReadImage read;
  if (cubin) {
    absl::StatusOr<size_t> size = ElfImageSize(static_cast<const uint8_t*>(image), kImageLimit);
    if (!size.ok()) return Refuse(malformed, std::string(size.status().message()), count, options, values);
    read.bytes = absl::MakeConstSpan(static_cast<const uint8_t*>(image), *size);
    absl::StatusOr<int> sm = CubinSmVersion(read.bytes);
    const Device& device = *context->device;
    if (sm.ok() && (*sm / 10 != device.major || *sm % 10 > device.minor)) {
      return Refuse(CUDA_ERROR_NO_BINARY_FOR_GPU,
                    absl::StrCat("a cubin for sm_", *sm, " on a device of sm_", device.major,
                                 device.minor),
                    count, options, values);
    }
    absl::StatusOr<std::map<std::string, KernelParamLayout>> layouts = ReadCubinParams(read.bytes);
    if (!layouts.ok()) return Refuse(malformed, std::string(layouts.status().message()), count, options, values);
    read.layouts = *std::move(layouts);
  } else {
    const auto* text = static_cast<const char*>(image);
    const size_t length = strnlen(text, kImageLimit);
    if (length == kImageLimit) return Refuse(malformed, "PTX text without a terminating NUL", count, options, values);
    read.bytes = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text), length + 1);
    absl::StatusOr<std::map<std::string, KernelParamLayout>> layouts =
        ReadPtxParams(absl::string_view(text, length));
    if (!layouts.ok()) return Refuse(malformed, std::string(layouts.status().message()), count, options, values);
    read.layouts = *std::move(layouts);
  }
  const char* bundles = std::getenv("HAL_FAKE_CUDA_BUNDLES");
  // A bundle stores PTX with or without its terminating NUL.
  absl::StatusOr<DeviceImageTwin> twin = FindTwin(read.bytes, bundles ? bundles : "");
  if (!twin.ok() && !cubin) twin = FindTwin(read.bytes.first(read.bytes.size() - 1), bundles ? bundles : "");
  if (!twin.ok()) {
    return Refuse(malformed, absl::StrCat("no CPU twin: ", twin.status().message()), count, options, values);
  }
  for (const auto& [name, layout] : read.layouts) {
    if (twin->kernels.count(name) == 0) {
      return Refuse(malformed,
                    absl::StrCat("the image's kernel \"", name, "\" is no kernel of bundle ",
                                 twin->bundle_path, " (", twin->format, ")"),
                    count, options, values);
    }
  }
  auto module = std::make_unique<CUmod_st>();
  module->context = context;
  module->layouts = std::move(read.layouts);
  module->twin = *std::move(twin);
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *handle = module.get();
  state.modules.emplace(module.get(), std::move(module));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI ModuleUnload(CUmodule handle) {
  FAKE_CU_ENTER_INITIALIZED("cuModuleUnload");
  std::unique_ptr<CUmod_st> module;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.modules.find(handle);
    if (it == state.modules.end()) return CUDA_ERROR_INVALID_HANDLE;
    module = std::move(it->second);
    state.modules.erase(it);
  }
  return CUDA_SUCCESS;  // launches still queued hold their twin's image
}

CUresult CUDAAPI ModuleGetFunction(CUfunction* function, CUmodule handle, const char* name) {
  FAKE_CU_ENTER_INITIALIZED("cuModuleGetFunction");
  if (function == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.modules.find(handle);
  if (it == state.modules.end()) return CUDA_ERROR_INVALID_HANDLE;
  CUmod_st& module = *it->second;
  const auto layout = module.layouts.find(name);
  if (layout == module.layouts.end()) return CUDA_ERROR_NOT_FOUND;
  std::unique_ptr<CUfunc_st>& made = module.functions[name];
  if (made == nullptr) {
    made = std::make_unique<CUfunc_st>();
    made->module = &module;
    made->name = name;
    made->layout = layout->second;
    made->twin = module.twin.kernels.at(name);
  }
  *function = made.get();
  return CUDA_SUCCESS;
}

// The function if it belongs to a live module; copied so that a concurrent
// unload cannot pull it away.
std::optional<CUfunc_st> LiveFunction(CUfunction function) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (function == nullptr || state.modules.count(function->module) == 0) return std::nullopt;
  return CUfunc_st{function->module, function->name, function->layout, function->twin};
}

CUresult CUDAAPI FuncGetParamInfo(CUfunction handle, size_t index, size_t* offset, size_t* size) {
  FAKE_CU_ENTER_INITIALIZED("cuFuncGetParamInfo");
  const std::optional<CUfunc_st> function = LiveFunction(handle);
  if (!function) return CUDA_ERROR_INVALID_HANDLE;
  if (index >= function->layout.params.size()) return CUDA_ERROR_INVALID_VALUE;
  if (offset != nullptr) *offset = function->layout.params[index].offset;
  if (size != nullptr) *size = function->layout.params[index].size;
  return CUDA_SUCCESS;
}

// What the real driver answers that the fake can know: the most threads per
// block, from the image's launch bounds (the hardware's 1024 without them).
CUresult CUDAAPI FuncGetAttribute(int* value, CUfunction_attribute attribute, CUfunction handle) {
  FAKE_CU_ENTER_INITIALIZED("cuFuncGetAttribute");
  const std::optional<CUfunc_st> function = LiveFunction(handle);
  if (!function) return CUDA_ERROR_INVALID_HANDLE;
  if (value == nullptr || attribute != CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  const uint32_t declared = function->layout.max_threads_per_block;
  *value = declared == 0 ? 1024 : static_cast<int>(declared);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI LaunchKernel(CUfunction handle, unsigned int grid_x, unsigned int grid_y,
                              unsigned int grid_z, unsigned int block_x, unsigned int block_y,
                              unsigned int block_z, unsigned int shared_bytes, CUstream stream_handle,
                              void** params, void** extra) {
  FAKE_CU_ENTER_INITIALIZED("cuLaunchKernel");
  const std::optional<CUfunc_st> function = LiveFunction(handle);
  if (!function) return CUDA_ERROR_INVALID_HANDLE;
  std::shared_ptr<CUstream_st> stream = ResolveStream(stream_handle, CurrentContext());
  if (stream == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  CUctx_st* context = stream->context;
  if (const CUresult error = StickyError(context)) return error;
  State& state = Fake();
  if (extra != nullptr || shared_bytes != 0) {
    state.ledger.RecordViolation(absl::StrCat("kernel \"", function->name,
                                              "\": launched with `extra` or dynamic shared memory,"
                                              " which the kernel ABI never uses"));
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (context->device != function->module->context->device) {
    state.ledger.RecordViolation(absl::StrCat("kernel \"", function->name,
                                              "\": launched on a stream of another device"));
    return CUDA_ERROR_INVALID_HANDLE;
  }
  const LaunchShape shape{{grid_x, grid_y, grid_z}, {block_x, block_y, block_z}};
  absl::StatusOr<CpuLaunch> launch =
      CheckLaunch(function->twin, function->layout, params, shape, state.registry);
  if (!launch.ok()) {
    state.ledger.RecordViolation(std::string(launch.status().message()));
    return CUDA_ERROR_INVALID_VALUE;
  }
  // The injected fault is claimed here, so it is this launch that fails.
  const bool fault = context->device->fault_pending.exchange(false);
  stream->worker.Enqueue([context, fault, twin = function->twin, launch = *std::move(launch)] {
    if (StickyError(context) != CUDA_SUCCESS) return;
    if (fault) {
      // What an illegal address does to a real context: every later call on
      // it answers the error.
      context->sticky_error = CUDA_ERROR_ILLEGAL_ADDRESS;
      return;
    }
    RunOnCpu(twin, launch);
  });
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> ModuleEntryPoints() {
  return {
      {"cuModuleLoadDataEx", 2010, AsEntry(&ModuleLoadDataEx)},
      {"cuModuleUnload", 2000, AsEntry(&ModuleUnload)},
      {"cuModuleGetFunction", 2000, AsEntry(&ModuleGetFunction)},
      {"cuFuncGetParamInfo", 12040, AsEntry(&FuncGetParamInfo)},
      {"cuFuncGetAttribute", 2020, AsEntry(&FuncGetAttribute)},
      {"cuLaunchKernel", 4000, AsEntry(&LaunchKernel)},
  };
}

}  // namespace hal::fake::cuda
