// The Level Zero entry points the fake implements, with ze_api.h's exact
// signatures; ddi_tables.cc hands them to the loader through the
// zeGet*ProcAddrTable getters a Level Zero driver exports. Everything not
// listed stays null in the tables, which the loader answers with
// ZE_RESULT_ERROR_UNINITIALIZED.
#ifndef HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_API_H_
#define HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_API_H_

#include <level_zero/ze_api.h>

namespace hal::fake::level_zero::api {

// Driver and devices (ze_api_device.cc).
ze_result_t ZE_APICALL Init(ze_init_flags_t flags);
ze_result_t ZE_APICALL DriverGet(uint32_t* count, ze_driver_handle_t* drivers);
ze_result_t ZE_APICALL DriverGetApiVersion(ze_driver_handle_t driver, ze_api_version_t* version);
ze_result_t ZE_APICALL DriverGetProperties(ze_driver_handle_t driver,
                                           ze_driver_properties_t* properties);
ze_result_t ZE_APICALL DeviceGet(ze_driver_handle_t driver, uint32_t* count,
                                 ze_device_handle_t* devices);
ze_result_t ZE_APICALL DeviceGetSubDevices(ze_device_handle_t device, uint32_t* count,
                                           ze_device_handle_t* subdevices);
ze_result_t ZE_APICALL DeviceGetProperties(ze_device_handle_t device,
                                           ze_device_properties_t* properties);
ze_result_t ZE_APICALL DeviceGetComputeProperties(ze_device_handle_t device,
                                                  ze_device_compute_properties_t* properties);
ze_result_t ZE_APICALL DeviceGetMemoryProperties(ze_device_handle_t device, uint32_t* count,
                                                 ze_device_memory_properties_t* properties);
ze_result_t ZE_APICALL DeviceGetCommandQueueGroupProperties(
    ze_device_handle_t device, uint32_t* count, ze_command_queue_group_properties_t* properties);
ze_result_t ZE_APICALL ContextCreate(ze_driver_handle_t driver, const ze_context_desc_t* desc,
                                     ze_context_handle_t* context);
ze_result_t ZE_APICALL ContextDestroy(ze_context_handle_t context);

// Memory and virtual memory (ze_api_memory.cc).
ze_result_t ZE_APICALL MemAllocDevice(ze_context_handle_t context,
                                      const ze_device_mem_alloc_desc_t* desc, size_t size,
                                      size_t alignment, ze_device_handle_t device, void** out);
ze_result_t ZE_APICALL MemAllocHost(ze_context_handle_t context,
                                    const ze_host_mem_alloc_desc_t* desc, size_t size,
                                    size_t alignment, void** out);
ze_result_t ZE_APICALL MemFree(ze_context_handle_t context, void* pointer);
ze_result_t ZE_APICALL VirtualMemQueryPageSize(ze_context_handle_t context,
                                               ze_device_handle_t device, size_t size,
                                               size_t* page_size);
ze_result_t ZE_APICALL VirtualMemReserve(ze_context_handle_t context, const void* start,
                                         size_t size, void** out);
ze_result_t ZE_APICALL VirtualMemFree(ze_context_handle_t context, const void* pointer,
                                      size_t size);
ze_result_t ZE_APICALL PhysicalMemCreate(ze_context_handle_t context, ze_device_handle_t device,
                                         ze_physical_mem_desc_t* desc,
                                         ze_physical_mem_handle_t* out);
ze_result_t ZE_APICALL PhysicalMemDestroy(ze_context_handle_t context,
                                          ze_physical_mem_handle_t physical);
ze_result_t ZE_APICALL VirtualMemMap(ze_context_handle_t context, const void* pointer, size_t size,
                                     ze_physical_mem_handle_t physical, size_t offset,
                                     ze_memory_access_attribute_t access);
ze_result_t ZE_APICALL VirtualMemUnmap(ze_context_handle_t context, const void* pointer,
                                       size_t size);

// Immediate command lists and events (ze_api_command_list.cc).
ze_result_t ZE_APICALL CommandListCreateImmediate(ze_context_handle_t context,
                                                  ze_device_handle_t device,
                                                  const ze_command_queue_desc_t* desc,
                                                  ze_command_list_handle_t* out);
ze_result_t ZE_APICALL CommandListDestroy(ze_command_list_handle_t list);
ze_result_t ZE_APICALL CommandListAppendMemoryCopy(ze_command_list_handle_t list, void* dst,
                                                   const void* src, size_t size,
                                                   ze_event_handle_t signal, uint32_t wait_count,
                                                   ze_event_handle_t* waits);
ze_result_t ZE_APICALL CommandListAppendMemoryFill(ze_command_list_handle_t list, void* dst,
                                                   const void* pattern, size_t pattern_size,
                                                   size_t size, ze_event_handle_t signal,
                                                   uint32_t wait_count, ze_event_handle_t* waits);
ze_result_t ZE_APICALL CommandListAppendBarrier(ze_command_list_handle_t list,
                                                ze_event_handle_t signal, uint32_t wait_count,
                                                ze_event_handle_t* waits);
ze_result_t ZE_APICALL CommandListAppendWaitOnEvents(ze_command_list_handle_t list, uint32_t count,
                                                     ze_event_handle_t* events);
ze_result_t ZE_APICALL CommandListAppendSignalEvent(ze_command_list_handle_t list,
                                                    ze_event_handle_t event);
ze_result_t ZE_APICALL CommandListAppendWriteGlobalTimestamp(ze_command_list_handle_t list,
                                                             uint64_t* dst,
                                                             ze_event_handle_t signal,
                                                             uint32_t wait_count,
                                                             ze_event_handle_t* waits);
ze_result_t ZE_APICALL CommandListAppendLaunchKernel(ze_command_list_handle_t list,
                                                     ze_kernel_handle_t kernel,
                                                     const ze_group_count_t* groups,
                                                     ze_event_handle_t signal,
                                                     uint32_t wait_count,
                                                     ze_event_handle_t* waits);
ze_result_t ZE_APICALL EventPoolCreate(ze_context_handle_t context,
                                       const ze_event_pool_desc_t* desc, uint32_t device_count,
                                       ze_device_handle_t* devices, ze_event_pool_handle_t* out);
ze_result_t ZE_APICALL EventPoolDestroy(ze_event_pool_handle_t pool);
ze_result_t ZE_APICALL EventCreate(ze_event_pool_handle_t pool, const ze_event_desc_t* desc,
                                   ze_event_handle_t* out);
ze_result_t ZE_APICALL EventDestroy(ze_event_handle_t event);
ze_result_t ZE_APICALL EventHostSynchronize(ze_event_handle_t event, uint64_t timeout);
ze_result_t ZE_APICALL EventQueryStatus(ze_event_handle_t event);
ze_result_t ZE_APICALL EventHostReset(ze_event_handle_t event);

// Modules and kernels (ze_api_module.cc).
ze_result_t ZE_APICALL ModuleCreate(ze_context_handle_t context, ze_device_handle_t device,
                                    const ze_module_desc_t* desc, ze_module_handle_t* out,
                                    ze_module_build_log_handle_t* log);
ze_result_t ZE_APICALL ModuleDestroy(ze_module_handle_t module);
ze_result_t ZE_APICALL ModuleBuildLogGetString(ze_module_build_log_handle_t log, size_t* size,
                                               char* text);
ze_result_t ZE_APICALL ModuleBuildLogDestroy(ze_module_build_log_handle_t log);
ze_result_t ZE_APICALL KernelCreate(ze_module_handle_t module, const ze_kernel_desc_t* desc,
                                    ze_kernel_handle_t* out);
ze_result_t ZE_APICALL KernelDestroy(ze_kernel_handle_t kernel);
ze_result_t ZE_APICALL KernelSetGroupSize(ze_kernel_handle_t kernel, uint32_t x, uint32_t y,
                                          uint32_t z);
ze_result_t ZE_APICALL KernelSetArgumentValue(ze_kernel_handle_t kernel, uint32_t index,
                                              size_t size, const void* value);
ze_result_t ZE_APICALL KernelGetProperties(ze_kernel_handle_t kernel,
                                           ze_kernel_properties_t* properties);

}  // namespace hal::fake::level_zero::api

#endif  // HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_API_H_
