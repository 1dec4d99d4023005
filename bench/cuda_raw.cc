#include "bench/cuda_raw.h"

#include <dlfcn.h>

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backends/gpu_core/image_formats.h"
#include "backends/gpu_core/symbol_table.h"
#include "hal/kernel_bundle.h"
#include "hal/status_macros.h"

namespace hal::bench {
namespace {

constexpr char kLibrary[] = "libcuda.so.1";
// Exported by hal's fake libcuda (tests/fake_cuda) and by nothing of NVIDIA's.
constexpr char kFakeMarker[] = "hal_fake_cuda_configure";

using GetProcAddress = decltype(&::cuGetProcAddress);

}  // namespace

absl::Status RefuseFakeCuda() {
  // The handle is kept: libcuda, once loaded, stays for the life of the
  // process, as in any CUDA program, instead of being unloaded and loaded
  // again each time a benchmark closes hal's runtime or its baseline.
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_NOLOAD);
  if (library == nullptr) return absl::OkStatus();  // nothing loaded: nothing to refuse
  const bool fake = dlsym(library, kFakeMarker) != nullptr;
  Dl_info info{};
  void* any_symbol = dlsym(library, "cuGetProcAddress_v2");
  const std::string path =
      any_symbol != nullptr && dladdr(any_symbol, &info) != 0 && info.dli_fname != nullptr
          ? info.dli_fname
          : kLibrary;
  if (!fake) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(path,
                   " is hal's fake libcuda (a test double, not a GPU): no CUDA figures "
                   "are reported against it"));
}

absl::StatusOr<BenchContext> OpenCudaBenchContext(absl::string_view kernel) {
  HAL_ASSIGN_OR_RETURN(BenchContext context, OpenBenchContext("cuda", kernel));
  HAL_RETURN_IF_ERROR(RefuseFakeCuda());
  return context;
}

absl::StatusOr<std::unique_ptr<RawCuda>> RawCuda::OpenBenchDevice() {
  HAL_ASSIGN_OR_RETURN(const auto uuid, BenchDeviceUuid("cuda"));
  return Open(uuid);
}

absl::StatusOr<std::unique_ptr<RawCuda>> RawCuda::Open(const std::array<uint8_t, 16>& device_uuid) {
  std::unique_ptr<RawCuda> raw(new RawCuda());
  HAL_RETURN_IF_ERROR(raw->LoadLibrary());
  HAL_RETURN_IF_ERROR(raw->OpenDevice(device_uuid));
  return raw;
}

RawCuda::~RawCuda() {
  if (stream_ != nullptr) {
    cu_.cuStreamSynchronize(stream_);
    if (module_ != nullptr) cu_.cuModuleUnload(module_);
    cu_.cuStreamDestroy(stream_);
  }
  if (context_ != nullptr) cu_.cuDevicePrimaryCtxRelease(device_);
  if (library_ != nullptr) dlclose(library_);
}

absl::Status RawCuda::Check(CUresult result, absl::string_view call) const {
  if (result == CUDA_SUCCESS) return absl::OkStatus();
  const char* name = nullptr;
  if (cu_.cuGetErrorName == nullptr || cu_.cuGetErrorName(result, &name) != CUDA_SUCCESS) {
    name = "unknown CUresult";
  }
  return absl::InternalError(absl::StrCat(call, " failed: ", name, " (", result, ")"));
}

absl::Status RawCuda::LoadLibrary() {
  library_ = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot load ", kLibrary, ": ", dlerror()));
  }
  HAL_RETURN_IF_ERROR(RefuseFakeCuda());
  const auto get_proc_address =
      reinterpret_cast<GetProcAddress>(dlsym(library_, "cuGetProcAddress_v2"));
  if (get_proc_address == nullptr) {
    return absl::UnavailableError(absl::StrCat(kLibrary, " lacks cuGetProcAddress_v2"));
  }
  // The driver's own machinery, with the bench's list of entry points.
  const gpu::SymbolResolver resolver = [&](const char* name, int version, void** out) {
    CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    if (get_proc_address(name, out, version, CU_GET_PROC_ADDRESS_DEFAULT, &found) != CUDA_SUCCESS ||
        *out == nullptr) {
      return found == CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT
                 ? gpu::ResolveStatus::kVersionNotSufficient
                 : gpu::ResolveStatus::kNotFound;
    }
    return gpu::ResolveStatus::kFound;
  };
  const gpu::SymbolSpec specs[] = {
#define X(name) {#name, kPinnedCudaVersion, 0, nullptr, &cu_.name},
      HAL_BENCH_CUDA_SYMBOLS(X)
#undef X
          {"cuMemAllocManaged", kPinnedCudaVersion, 0, "managed memory", &cu_.cuMemAllocManaged},
  };
  const gpu::SymbolResolution resolution = gpu::ResolveSymbols(specs, resolver);
  if (!resolution.complete()) {
    return absl::UnavailableError(absl::StrCat(kLibrary, " lacks, at API version ",
                                               kPinnedCudaVersion, ": ",
                                               resolution.MissingRequiredList()));
  }
  return absl::OkStatus();
}

absl::Status RawCuda::OpenDevice(const std::array<uint8_t, 16>& device_uuid) {
  if (const CUresult result = cu_.cuInit(0); result != CUDA_SUCCESS) {
    return absl::UnavailableError(Check(result, "cuInit").message());
  }
  int count = 0;
  HAL_RETURN_IF_ERROR(Check(cu_.cuDeviceGetCount(&count), "cuDeviceGetCount"));
  bool found = false;
  for (int ordinal = 0; ordinal < count && !found; ++ordinal) {
    HAL_RETURN_IF_ERROR(Check(cu_.cuDeviceGet(&device_, ordinal), "cuDeviceGet"));
    CUuuid uuid{};
    HAL_RETURN_IF_ERROR(Check(cu_.cuDeviceGetUuid(&uuid, device_), "cuDeviceGetUuid"));
    found = std::memcmp(uuid.bytes, device_uuid.data(), device_uuid.size()) == 0;
  }
  if (!found) {
    return absl::UnavailableError(
        absl::StrCat("none of the ", count, " CUDA devices has the UUID of hal's device"));
  }
  HAL_RETURN_IF_ERROR(
      Check(cu_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain"));
  HAL_RETURN_IF_ERROR(Check(cu_.cuCtxSetCurrent(context_), "cuCtxSetCurrent"));
  return Check(cu_.cuStreamCreateWithPriority(&stream_, CU_STREAM_NON_BLOCKING, 0),
               "cuStreamCreateWithPriority");
}

absl::StatusOr<CUfunction> RawCuda::LoadStandardKernel(absl::string_view kernel) {
  if (module_ == nullptr) {
    int major = 0;
    int minor = 0;
    HAL_RETURN_IF_ERROR(Check(
        cu_.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device_),
        "cuDeviceGetAttribute"));
    HAL_RETURN_IF_ERROR(Check(
        cu_.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device_),
        "cuDeviceGetAttribute"));
    const std::string formats = gpu::NvidiaKernelFormats(absl::StrCat("sm_", major, minor));
    const std::string path = StandardBundlePath();
    HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(path),
                         "reading the kernel bundle ", path);
    const KernelImage* chosen = nullptr;
    for (absl::string_view format : absl::StrSplit(formats, ',')) {
      for (const KernelImage& image : bundle.images()) {
        if (chosen == nullptr && image.format == format && image.kernel_name.empty()) {
          chosen = &image;
        }
      }
    }
    if (chosen == nullptr) {
      return absl::NotFoundError(
          absl::StrCat(path, " has none of the images sm_", major, minor, " takes: ", formats));
    }
    // PTX must be NUL-terminated for cuModuleLoadDataEx; a cubin is unaffected.
    std::vector<uint8_t> image = chosen->data;
    image.push_back(0);
    HAL_RETURN_IF_ERROR(Check(cu_.cuModuleLoadDataEx(&module_, image.data(), 0, nullptr, nullptr),
                              absl::StrCat("cuModuleLoadDataEx (", chosen->format, ")")));
  }
  CUfunction function = nullptr;
  HAL_RETURN_IF_ERROR(
      Check(cu_.cuModuleGetFunction(&function, module_, std::string(kernel).c_str()),
            absl::StrCat("cuModuleGetFunction(", kernel, ")")));
  return function;
}

}  // namespace hal::bench
