// The libcuda entry points the driver uses, resolved at run time: dlopen of
// libcuda.so.1 and dlsym of cuGetProcAddress_v2 alone; every other function
// through cuGetProcAddress_v2 at a pinned API version. A plain name given to
// dlsym would load the legacy ABI (cuda.h maps cuMemAlloc to cuMemAlloc_v2,
// cuStreamDestroy to cuStreamDestroy_v2 ...); cuGetProcAddress_v2 answers the
// variant of the version asked for.
//
// Each member below is declared with cuda.h's prototype of the name (so the
// _v2 signature where cuda.h maps it) and named by the same macro.
#ifndef HAL_BACKENDS_CUDA_CUDA_API_H_
#define HAL_BACKENDS_CUDA_CUDA_API_H_

#include <cuda.h>

#include <string>

#include "hal/driver/hal_driver.h"

// X(name, pinned version, fallback version or 0, optional group or nullptr)
#define HAL_CUDA_SYMBOLS(X)                                            \
  X(cuInit, 12000, 0, nullptr)                                         \
  X(cuDriverGetVersion, 12000, 0, nullptr)                             \
  X(cuGetErrorName, 12000, 0, nullptr)                                 \
  X(cuGetErrorString, 12000, 0, nullptr)                               \
  X(cuDeviceGetCount, 12000, 0, nullptr)                               \
  X(cuDeviceGet, 12000, 0, nullptr)                                    \
  X(cuDeviceGetName, 12000, 0, nullptr)                                \
  X(cuDeviceGetUuid, 12000, 0, nullptr)                                \
  X(cuDeviceTotalMem, 12000, 0, nullptr)                               \
  X(cuDeviceGetAttribute, 12000, 0, nullptr)                           \
  X(cuDeviceGetPCIBusId, 12000, 0, nullptr)                            \
  X(cuDevicePrimaryCtxRetain, 12000, 0, nullptr)                       \
  X(cuDevicePrimaryCtxRelease, 12000, 0, nullptr)                      \
  X(cuCtxPushCurrent, 12000, 0, nullptr)                               \
  X(cuCtxPopCurrent, 12000, 0, nullptr)                                \
  X(cuCtxSetCurrent, 12000, 0, nullptr)                                \
  X(cuCtxGetStreamPriorityRange, 12000, 0, nullptr)                    \
  X(cuMemGetInfo, 12000, 0, nullptr)                                   \
  X(cuMemAlloc, 12000, 0, nullptr)                                     \
  X(cuMemFree, 12000, 0, nullptr)                                      \
  X(cuMemAllocHost, 12000, 0, nullptr)                                 \
  X(cuMemFreeHost, 12000, 0, nullptr)                                  \
  X(cuMemHostRegister, 12000, 0, nullptr)                              \
  X(cuMemHostUnregister, 12000, 0, nullptr)                            \
  X(cuMemHostGetDevicePointer, 12000, 0, nullptr)                      \
  X(cuMemcpyHtoDAsync, 12000, 0, nullptr)                              \
  X(cuMemcpyDtoHAsync, 12000, 0, nullptr)                              \
  X(cuMemcpyDtoDAsync, 12000, 0, nullptr)                              \
  X(cuMemsetD32Async, 12000, 0, nullptr)                               \
  X(cuStreamCreateWithPriority, 12000, 0, nullptr)                     \
  X(cuStreamDestroy, 12000, 0, nullptr)                                \
  X(cuStreamSynchronize, 12000, 0, nullptr)                            \
  X(cuStreamQuery, 12000, 0, nullptr)                                  \
  X(cuStreamWaitEvent, 12000, 0, nullptr)                              \
  X(cuEventCreate, 12000, 0, nullptr)                                  \
  X(cuEventRecord, 12000, 0, nullptr)                                  \
  X(cuEventQuery, 12000, 0, nullptr)                                   \
  X(cuEventSynchronize, 12000, 0, nullptr)                             \
  /* cuEventElapsedTime has a _v2 since 12.8; an older driver has v1. */ \
  X(cuEventElapsedTime, 12080, 12000, nullptr)                         \
  X(cuEventDestroy, 12000, 0, nullptr)                                 \
  X(cuModuleLoadDataEx, 12000, 0, nullptr)                             \
  X(cuModuleUnload, 12000, 0, nullptr)                                 \
  X(cuModuleGetFunction, 12000, 0, nullptr)                            \
  X(cuLaunchKernel, 12000, 0, nullptr)                                 \
  X(cuMemAddressReserve, 12000, 0, kVirtualMemoryGroup)                \
  X(cuMemAddressFree, 12000, 0, kVirtualMemoryGroup)                   \
  X(cuMemCreate, 12000, 0, kVirtualMemoryGroup)                        \
  X(cuMemRelease, 12000, 0, kVirtualMemoryGroup)                       \
  X(cuMemMap, 12000, 0, kVirtualMemoryGroup)                           \
  X(cuMemUnmap, 12000, 0, kVirtualMemoryGroup)                         \
  X(cuMemSetAccess, 12000, 0, kVirtualMemoryGroup)                     \
  X(cuMemGetAllocationGranularity, 12000, 0, kVirtualMemoryGroup)      \
  X(cuDeviceGetDevResource, 12040, 0, kGreenContextGroup)              \
  X(cuDevSmResourceSplitByCount, 12040, 0, kGreenContextGroup)         \
  X(cuDevResourceGenerateDesc, 12040, 0, kGreenContextGroup)           \
  X(cuGreenCtxCreate, 12040, 0, kGreenContextGroup)                    \
  X(cuGreenCtxDestroy, 12040, 0, kGreenContextGroup)                   \
  X(cuCtxFromGreenCtx, 12040, 0, kGreenContextGroup)                   \
  X(cuGreenCtxStreamCreate, 12050, 0, kGreenContextGroup)              \
  X(cuFuncGetParamInfo, 12040, 0, kParamInfoGroup)                     \
  X(cuFuncGetAttribute, 12000, 0, kLaunchBoundsGroup)

namespace hal::cuda {

inline constexpr char kVirtualMemoryGroup[] = "virtual memory";
inline constexpr char kGreenContextGroup[] = "green contexts";
inline constexpr char kParamInfoGroup[] = "kernel parameter info";
inline constexpr char kLaunchBoundsGroup[] = "kernel launch bounds";

struct CudaApi {
#define HAL_CUDA_DECLARE_MEMBER(name, version, fallback, group) decltype(&::name) name = nullptr;
  HAL_CUDA_SYMBOLS(HAL_CUDA_DECLARE_MEMBER)
#undef HAL_CUDA_DECLARE_MEMBER
  bool has_virtual_memory = false;
  bool has_green_contexts = false;
  bool has_param_info = false;
  bool has_launch_bounds = false;
};

// Opens libcuda.so.1 (kept open until the process ends: the vendor library
// does not support being unloaded) and resolves every entry point. On failure
// HAL_ERROR_UNAVAILABLE with the reason: the dlerror text, a library without
// cuGetProcAddress_v2, the toolkit's stub library, or the required functions
// it lacks.
hal_result LoadCudaApi(CudaApi* api);

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_API_H_
