// The CUDA benchmarks' baselines: the CUDA driver API called directly, in the
// same process as hal and on the device hal selected. libcuda.so.1 is opened
// at run time and every entry point but cuGetProcAddress_v2 resolved through
// it at a pinned API version, as hal's driver does (a dlsym of a plain name
// such as "cuMemAlloc" would give the legacy ABI): nothing in the project
// links libcuda. hal's fake libcuda (a test double that runs kernels through
// their CPU twins) is refused: no figure is ever reported against it.
#ifndef HAL_BENCH_CUDA_RAW_H_
#define HAL_BENCH_CUDA_RAW_H_

#include <cuda.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/bench_context.h"

// Entry points of the baselines, each resolved at kPinnedCudaVersion. cuda.h
// maps several names to their current symbols (cuMemAlloc -> cuMemAlloc_v2),
// so a member and its call site both spell the plain name.
#define HAL_BENCH_CUDA_SYMBOLS(X) \
  X(cuInit)                       \
  X(cuGetErrorName)               \
  X(cuDeviceGetCount)             \
  X(cuDeviceGet)                  \
  X(cuDeviceGetUuid)              \
  X(cuDeviceGetAttribute)         \
  X(cuDevicePrimaryCtxRetain)     \
  X(cuDevicePrimaryCtxRelease)    \
  X(cuCtxSetCurrent)              \
  X(cuStreamCreateWithPriority)   \
  X(cuStreamDestroy)              \
  X(cuStreamSynchronize)          \
  X(cuModuleLoadDataEx)           \
  X(cuModuleUnload)               \
  X(cuModuleGetFunction)          \
  X(cuLaunchKernel)               \
  X(cuMemGetInfo)                 \
  X(cuMemAlloc)                   \
  X(cuMemFree)                    \
  X(cuMemAllocHost)               \
  X(cuMemFreeHost)                \
  X(cuMemcpyHtoDAsync)            \
  X(cuMemcpyDtoHAsync)            \
  X(cuMemcpyDtoDAsync)

namespace hal::bench {

inline constexpr int kPinnedCudaVersion = 12000;

struct RawCudaSymbols {
#define X(name) decltype(&::name) name = nullptr;
  HAL_BENCH_CUDA_SYMBOLS(X)
#undef X
  // Optional: null where the library has no managed memory.
  decltype(&::cuMemAllocManaged) cuMemAllocManaged = nullptr;
};

// OK when the process's libcuda.so.1 (loaded by hal's CUDA driver or by
// RawCuda) is not hal's fake; FailedPrecondition naming it otherwise. Every
// CUDA benchmark checks this before it reports a figure.
absl::Status RefuseFakeCuda();

// OpenBenchContext("cuda", kernel), refused (FailedPrecondition) when hal's
// CUDA driver runs on the fake libcuda.
absl::StatusOr<BenchContext> OpenCudaBenchContext(absl::string_view kernel);

// The primary context of one CUDA device, current on the thread that opened
// it (a benchmark opens it on the thread it runs on), and one non-blocking
// stream. Everything made through it lives until it is destroyed, which
// first waits for the stream.
class RawCuda {
 public:
  // The device whose UUID is `device_uuid` (the device hal selected, so both
  // sides run on the same one). Unavailable, with the reason (the CUresult's
  // name), when libcuda, a GPU or that device is missing; FailedPrecondition
  // when libcuda.so.1 is hal's fake.
  static absl::StatusOr<std::unique_ptr<RawCuda>> Open(const std::array<uint8_t, 16>& device_uuid);
  // Open() of the device OpenCudaBenchContext opens.
  static absl::StatusOr<std::unique_ptr<RawCuda>> OpenBenchDevice();
  ~RawCuda();
  RawCuda(const RawCuda&) = delete;
  RawCuda& operator=(const RawCuda&) = delete;

  const RawCudaSymbols& cu() const { return cu_; }
  CUdevice device() const { return device_; }
  CUstream stream() const { return stream_; }

  // OK for CUDA_SUCCESS, else Internal naming the call and the CUresult.
  absl::Status Check(CUresult result, absl::string_view call) const;

  // `kernel` of the standard bundle, from the image hal's CUDA driver picks
  // for this device: the cubin of its architecture or the nearest lower one
  // of the same major version, else the PTX. The module lives as long as
  // this object.
  absl::StatusOr<CUfunction> LoadStandardKernel(absl::string_view kernel);

 private:
  RawCuda() = default;
  absl::Status LoadLibrary();
  absl::Status OpenDevice(const std::array<uint8_t, 16>& device_uuid);

  void* library_ = nullptr;
  RawCudaSymbols cu_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  CUmodule module_ = nullptr;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_CUDA_RAW_H_
