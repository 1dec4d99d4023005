// Every libamdhip64 function the HIP driver resolves, with the exact
// prototype of Debian's ROCm 5.2 headers (hip/hip_runtime_api.h, hip/hip_ext.h).
// This list is the contract with the fake libamdhip64 (tests/fake_hip/): the
// fake exports at least the REQUIRED ones, and the OPTIONAL groups it serves.
//
// The library has no hipGetProcAddress in ROCm 5 (it came in 6.2), so each
// name is dlsym'd as spelled. The prototypes are written out rather than
// taken with decltype(&::name) because several names are overloaded in C++
// (hipMalloc and hipHostMalloc have template forms) or carry default
// arguments (hipEventRecord); hip_api.cc checks each one against the header's
// declaration at compile time, so a mismatch does not build.
//
// REQUIRED(name, return type, (parameters)): without it the driver is
//   unavailable and names it.
// OPTIONAL(group, name, return type, (parameters)): a group is all or nothing
//   (gpu_core/symbol_table.h); a group with a member missing is left out and
//   its feature reported absent.
//
// hipGetDeviceProperties is resolved by its plain name on purpose: ROCm 6+
// headers macro-map that name to hipGetDevicePropertiesR0600 (a new struct
// layout), while the library keeps exporting the plain name with the old
// layout (hipDeviceProp_tR0000, which is ROCm 5's hipDeviceProp_t). The driver
// reads only gcnArchName from it, at the ROCm 5 offset, into a buffer larger
// than the struct; everything else comes from hipDeviceGetAttribute.
#ifndef HAL_BACKENDS_HIP_HIP_ENTRY_POINTS_H_
#define HAL_BACKENDS_HIP_HIP_ENTRY_POINTS_H_

#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#include <hip/hip_ext.h>
#include <hip/hip_runtime_api.h>

// clang-format off
#define HAL_HIP_SYMBOLS(REQUIRED, OPTIONAL)                                                      \
  /* Initialization, versions, errors. */                                                     \
  REQUIRED(hipInit, hipError_t, (unsigned int flags))                                         \
  REQUIRED(hipGetErrorName, const char*, (hipError_t hip_error))                              \
  REQUIRED(hipGetErrorString, const char*, (hipError_t hipError))                             \
  /* Devices and their properties. */                                                         \
  REQUIRED(hipGetDeviceCount, hipError_t, (int* count))                                       \
  REQUIRED(hipDeviceGet, hipError_t, (hipDevice_t* device, int ordinal))                      \
  REQUIRED(hipDeviceGetName, hipError_t, (char* name, int len, hipDevice_t device))           \
  REQUIRED(hipDeviceGetUuid, hipError_t, (hipUUID* uuid, hipDevice_t device))                 \
  REQUIRED(hipDeviceTotalMem, hipError_t, (size_t* bytes, hipDevice_t device))                \
  REQUIRED(hipDeviceGetAttribute, hipError_t,                                                 \
           (int* pi, hipDeviceAttribute_t attr, int deviceId))                                \
  REQUIRED(hipDeviceGetPCIBusId, hipError_t, (char* pciBusId, int len, int device))           \
  REQUIRED(hipGetDeviceProperties, hipError_t, (hipDeviceProp_t* prop, int deviceId))         \
  /* The calling thread's current device (HIP has no contexts to push). */                    \
  REQUIRED(hipSetDevice, hipError_t, (int deviceId))                                          \
  REQUIRED(hipDeviceGetStreamPriorityRange, hipError_t,                                       \
           (int* leastPriority, int* greatestPriority))                                       \
  /* Memory. */                                                                               \
  REQUIRED(hipMemGetInfo, hipError_t, (size_t* free, size_t* total))                          \
  REQUIRED(hipMalloc, hipError_t, (void** ptr, size_t size))                                  \
  REQUIRED(hipFree, hipError_t, (void* ptr))                                                  \
  REQUIRED(hipHostMalloc, hipError_t, (void** ptr, size_t size, unsigned int flags))          \
  REQUIRED(hipHostFree, hipError_t, (void* ptr))                                              \
  REQUIRED(hipHostRegister, hipError_t, (void* hostPtr, size_t sizeBytes, unsigned int flags)) \
  REQUIRED(hipHostUnregister, hipError_t, (void* hostPtr))                                    \
  REQUIRED(hipHostGetDevicePointer, hipError_t,                                               \
           (void** devPtr, void* hstPtr, unsigned int flags))                                 \
  REQUIRED(hipMemcpyHtoDAsync, hipError_t,                                                    \
           (hipDeviceptr_t dst, void* src, size_t sizeBytes, hipStream_t stream))             \
  REQUIRED(hipMemcpyDtoHAsync, hipError_t,                                                    \
           (void* dst, hipDeviceptr_t src, size_t sizeBytes, hipStream_t stream))             \
  REQUIRED(hipMemcpyDtoDAsync, hipError_t,                                                    \
           (hipDeviceptr_t dst, hipDeviceptr_t src, size_t sizeBytes, hipStream_t stream))    \
  REQUIRED(hipMemsetD32Async, hipError_t,                                                     \
           (hipDeviceptr_t dst, int value, size_t count, hipStream_t stream))                 \
  /* Streams and events. */                                                                   \
  REQUIRED(hipStreamCreateWithPriority, hipError_t,                                           \
           (hipStream_t* stream, unsigned int flags, int priority))                           \
  REQUIRED(hipStreamDestroy, hipError_t, (hipStream_t stream))                                \
  REQUIRED(hipStreamSynchronize, hipError_t, (hipStream_t stream))                            \
  REQUIRED(hipStreamQuery, hipError_t, (hipStream_t stream))                                  \
  REQUIRED(hipStreamWaitEvent, hipError_t,                                                    \
           (hipStream_t stream, hipEvent_t event, unsigned int flags))                        \
  REQUIRED(hipEventCreateWithFlags, hipError_t, (hipEvent_t* event, unsigned flags))          \
  REQUIRED(hipEventRecord, hipError_t, (hipEvent_t event, hipStream_t stream))                \
  REQUIRED(hipEventQuery, hipError_t, (hipEvent_t event))                                     \
  REQUIRED(hipEventSynchronize, hipError_t, (hipEvent_t event))                               \
  REQUIRED(hipEventElapsedTime, hipError_t, (float* ms, hipEvent_t start, hipEvent_t stop))   \
  REQUIRED(hipEventDestroy, hipError_t, (hipEvent_t event))                                   \
  /* Code objects and launches. */                                                            \
  REQUIRED(hipModuleLoadData, hipError_t, (hipModule_t* module, const void* image))           \
  REQUIRED(hipModuleUnload, hipError_t, (hipModule_t module))                                 \
  REQUIRED(hipModuleGetFunction, hipError_t,                                                  \
           (hipFunction_t* function, hipModule_t module, const char* kname))                  \
  REQUIRED(hipModuleLaunchKernel, hipError_t,                                                 \
           (hipFunction_t f, unsigned int gridDimX, unsigned int gridDimY,                    \
            unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY,            \
            unsigned int blockDimZ, unsigned int sharedMemBytes, hipStream_t stream,          \
            void** kernelParams, void** extra))                                               \
  /* A kernel's launch bounds (its maximum threads per block). */                             \
  OPTIONAL(kHipLaunchBoundsGroup, hipFuncGetAttribute, hipError_t,                            \
           (int* value, hipFunction_attribute attrib, hipFunction_t hfunc))                   \
  /* Virtual memory (ROCm 5.1+): stable-address eviction. */                                  \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemAddressReserve, hipError_t,                          \
           (void** ptr, size_t size, size_t alignment, void* addr, unsigned long long flags)) \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemAddressFree, hipError_t, (void* devPtr, size_t size)) \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemCreate, hipError_t,                                  \
           (hipMemGenericAllocationHandle_t* handle, size_t size,                             \
            const hipMemAllocationProp* prop, unsigned long long flags))                      \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemRelease, hipError_t,                                 \
           (hipMemGenericAllocationHandle_t handle))                                          \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemMap, hipError_t,                                     \
           (void* ptr, size_t size, size_t offset, hipMemGenericAllocationHandle_t handle,    \
            unsigned long long flags))                                                        \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemUnmap, hipError_t, (void* ptr, size_t size))         \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemSetAccess, hipError_t,                               \
           (void* ptr, size_t size, const hipMemAccessDesc* desc, size_t count))              \
  OPTIONAL(kHipVirtualMemoryGroup, hipMemGetAllocationGranularity, hipError_t,                \
           (size_t* granularity, const hipMemAllocationProp* prop,                            \
            hipMemAllocationGranularity_flags option))                                        \
  /* The device's primary context: the vendor object a hal context's native */              \
  /* handle names (HIP needs no context otherwise). */                                        \
  OPTIONAL(kHipPrimaryContextGroup, hipDevicePrimaryCtxRetain, hipError_t,                    \
           (hipCtx_t* pctx, hipDevice_t dev))                                                 \
  OPTIONAL(kHipPrimaryContextGroup, hipDevicePrimaryCtxRelease, hipError_t, (hipDevice_t dev)) \
  /* CU-mask partitions: streams restricted to a set of compute units. */                     \
  OPTIONAL(kHipCuMaskGroup, hipExtStreamCreateWithCUMask, hipError_t,                         \
           (hipStream_t* stream, uint32_t cuMaskSize, const uint32_t* cuMask))
// clang-format on

namespace hal::hip {

inline constexpr char kHipLaunchBoundsGroup[] = "kernel launch bounds";
inline constexpr char kHipVirtualMemoryGroup[] = "virtual memory";
inline constexpr char kHipCuMaskGroup[] = "CU masks";
inline constexpr char kHipPrimaryContextGroup[] = "primary contexts";

}  // namespace hal::hip

#endif  // HAL_BACKENDS_HIP_HIP_ENTRY_POINTS_H_
