// Every Level Zero function the driver calls, once: X(name, group), group
// nullptr for a required function or the name of an optional group. The
// driver resolves them from libze_loader.so.1 with dlsym and calls them
// through ZeApi (ze_library.h), with ze_api.h's own types; it never links
// the loader.
#ifndef HAL_BACKENDS_LEVEL_ZERO_ZE_FUNCTIONS_H_
#define HAL_BACKENDS_LEVEL_ZERO_ZE_FUNCTIONS_H_

#define HAL_ZE_VIRTUAL_MEMORY_GROUP "virtual memory"

#define HAL_ZE_FUNCTIONS(X)                                       \
  X(zeInit, nullptr)                                              \
  X(zeDriverGet, nullptr)                                         \
  X(zeDriverGetApiVersion, nullptr)                               \
  X(zeDeviceGet, nullptr)                                         \
  X(zeDeviceGetSubDevices, nullptr)                               \
  X(zeDeviceGetProperties, nullptr)                               \
  X(zeDeviceGetComputeProperties, nullptr)                        \
  X(zeDeviceGetMemoryProperties, nullptr)                         \
  X(zeDeviceGetCommandQueueGroupProperties, nullptr)              \
  X(zeContextCreate, nullptr)                                     \
  X(zeContextDestroy, nullptr)                                    \
  X(zeMemAllocDevice, nullptr)                                    \
  X(zeMemAllocHost, nullptr)                                      \
  X(zeMemFree, nullptr)                                           \
  X(zeCommandListCreateImmediate, nullptr)                        \
  X(zeCommandListDestroy, nullptr)                                \
  X(zeCommandListAppendMemoryCopy, nullptr)                       \
  X(zeCommandListAppendMemoryFill, nullptr)                       \
  X(zeCommandListAppendBarrier, nullptr)                          \
  X(zeCommandListAppendWaitOnEvents, nullptr)                     \
  X(zeCommandListAppendWriteGlobalTimestamp, nullptr)             \
  X(zeCommandListAppendLaunchKernel, nullptr)                     \
  X(zeEventPoolCreate, nullptr)                                   \
  X(zeEventPoolDestroy, nullptr)                                  \
  X(zeEventCreate, nullptr)                                       \
  X(zeEventDestroy, nullptr)                                      \
  X(zeEventHostSynchronize, nullptr)                              \
  X(zeEventQueryStatus, nullptr)                                  \
  X(zeEventHostReset, nullptr)                                    \
  X(zeModuleCreate, nullptr)                                      \
  X(zeModuleDestroy, nullptr)                                     \
  X(zeModuleBuildLogGetString, nullptr)                           \
  X(zeModuleBuildLogDestroy, nullptr)                             \
  X(zeKernelCreate, nullptr)                                      \
  X(zeKernelDestroy, nullptr)                                     \
  X(zeKernelSetGroupSize, nullptr)                                \
  X(zeKernelSetArgumentValue, nullptr)                            \
  X(zeKernelGetProperties, nullptr)                               \
  X(zeVirtualMemQueryPageSize, HAL_ZE_VIRTUAL_MEMORY_GROUP)       \
  X(zeVirtualMemReserve, HAL_ZE_VIRTUAL_MEMORY_GROUP)             \
  X(zeVirtualMemFree, HAL_ZE_VIRTUAL_MEMORY_GROUP)                \
  X(zePhysicalMemCreate, HAL_ZE_VIRTUAL_MEMORY_GROUP)             \
  X(zePhysicalMemDestroy, HAL_ZE_VIRTUAL_MEMORY_GROUP)            \
  X(zeVirtualMemMap, HAL_ZE_VIRTUAL_MEMORY_GROUP)                 \
  X(zeVirtualMemUnmap, HAL_ZE_VIRTUAL_MEMORY_GROUP)

#endif  // HAL_BACKENDS_LEVEL_ZERO_ZE_FUNCTIONS_H_
