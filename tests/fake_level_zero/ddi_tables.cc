// What makes this library a Level Zero driver the real loader (libze_loader)
// accepts: the zeGet*ProcAddrTable getters. The loader (1.8) asks every
// driver for every ze, zet and zes table and gives up on a driver that lacks
// a getter, so the tables the fake does not implement are exported too, and
// left empty (null entries, which the loader answers with
// ZE_RESULT_ERROR_UNINITIALIZED).
#include <level_zero/ze_ddi.h>
#include <level_zero/zes_ddi.h>
#include <level_zero/zet_ddi.h>

#include "tests/fake_level_zero/fake_ze_api.h"

namespace api = hal::fake::level_zero::api;

#define HAL_FAKE_ZE_TABLE(getter, table_type)                                              \
  extern "C" ZE_DLLEXPORT ze_result_t ZE_APICALL getter(ze_api_version_t version,          \
                                                        table_type* table) {               \
    if (table == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;                     \
    if (ZE_MAJOR_VERSION(version) != ZE_MAJOR_VERSION(ZE_API_VERSION_CURRENT)) {           \
      return ZE_RESULT_ERROR_UNSUPPORTED_VERSION;                                          \
    }                                                                                      \
    Fill(table);                                                                           \
    return ZE_RESULT_SUCCESS;                                                              \
  }

namespace {

void Fill(ze_global_dditable_t* table) { table->pfnInit = api::Init; }

void Fill(ze_driver_dditable_t* table) {
  table->pfnGet = api::DriverGet;
  table->pfnGetApiVersion = api::DriverGetApiVersion;
  table->pfnGetProperties = api::DriverGetProperties;
}

void Fill(ze_device_dditable_t* table) {
  table->pfnGet = api::DeviceGet;
  table->pfnGetSubDevices = api::DeviceGetSubDevices;
  table->pfnGetProperties = api::DeviceGetProperties;
  table->pfnGetComputeProperties = api::DeviceGetComputeProperties;
  table->pfnGetMemoryProperties = api::DeviceGetMemoryProperties;
  table->pfnGetCommandQueueGroupProperties = api::DeviceGetCommandQueueGroupProperties;
}

void Fill(ze_context_dditable_t* table) {
  table->pfnCreate = api::ContextCreate;
  table->pfnDestroy = api::ContextDestroy;
}

void Fill(ze_mem_dditable_t* table) {
  table->pfnAllocDevice = api::MemAllocDevice;
  table->pfnAllocHost = api::MemAllocHost;
  table->pfnFree = api::MemFree;
}

void Fill(ze_virtual_mem_dditable_t* table) {
  table->pfnReserve = api::VirtualMemReserve;
  table->pfnFree = api::VirtualMemFree;
  table->pfnQueryPageSize = api::VirtualMemQueryPageSize;
  table->pfnMap = api::VirtualMemMap;
  table->pfnUnmap = api::VirtualMemUnmap;
}

void Fill(ze_physical_mem_dditable_t* table) {
  table->pfnCreate = api::PhysicalMemCreate;
  table->pfnDestroy = api::PhysicalMemDestroy;
}

void Fill(ze_command_list_dditable_t* table) {
  table->pfnCreateImmediate = api::CommandListCreateImmediate;
  table->pfnDestroy = api::CommandListDestroy;
  table->pfnAppendMemoryCopy = api::CommandListAppendMemoryCopy;
  table->pfnAppendMemoryFill = api::CommandListAppendMemoryFill;
  table->pfnAppendBarrier = api::CommandListAppendBarrier;
  table->pfnAppendWaitOnEvents = api::CommandListAppendWaitOnEvents;
  table->pfnAppendSignalEvent = api::CommandListAppendSignalEvent;
  table->pfnAppendWriteGlobalTimestamp = api::CommandListAppendWriteGlobalTimestamp;
  table->pfnAppendLaunchKernel = api::CommandListAppendLaunchKernel;
}

void Fill(ze_event_pool_dditable_t* table) {
  table->pfnCreate = api::EventPoolCreate;
  table->pfnDestroy = api::EventPoolDestroy;
}

void Fill(ze_event_dditable_t* table) {
  table->pfnCreate = api::EventCreate;
  table->pfnDestroy = api::EventDestroy;
  table->pfnHostSynchronize = api::EventHostSynchronize;
  table->pfnQueryStatus = api::EventQueryStatus;
  table->pfnHostReset = api::EventHostReset;
}

void Fill(ze_module_dditable_t* table) {
  table->pfnCreate = api::ModuleCreate;
  table->pfnDestroy = api::ModuleDestroy;
}

void Fill(ze_module_build_log_dditable_t* table) {
  table->pfnGetString = api::ModuleBuildLogGetString;
  table->pfnDestroy = api::ModuleBuildLogDestroy;
}

void Fill(ze_kernel_dditable_t* table) {
  table->pfnCreate = api::KernelCreate;
  table->pfnDestroy = api::KernelDestroy;
  table->pfnSetGroupSize = api::KernelSetGroupSize;
  table->pfnSetArgumentValue = api::KernelSetArgumentValue;
  table->pfnGetProperties = api::KernelGetProperties;
}

// The tables the fake leaves empty.
template <typename Table>
void Fill(Table*) {}

}  // namespace

HAL_FAKE_ZE_TABLE(zeGetGlobalProcAddrTable, ze_global_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetDriverProcAddrTable, ze_driver_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetDeviceProcAddrTable, ze_device_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetContextProcAddrTable, ze_context_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetMemProcAddrTable, ze_mem_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetVirtualMemProcAddrTable, ze_virtual_mem_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetPhysicalMemProcAddrTable, ze_physical_mem_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetCommandListProcAddrTable, ze_command_list_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetEventPoolProcAddrTable, ze_event_pool_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetEventProcAddrTable, ze_event_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetModuleProcAddrTable, ze_module_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetModuleBuildLogProcAddrTable, ze_module_build_log_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetKernelProcAddrTable, ze_kernel_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetCommandQueueProcAddrTable, ze_command_queue_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetDeviceExpProcAddrTable, ze_device_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetEventExpProcAddrTable, ze_event_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetFabricEdgeExpProcAddrTable, ze_fabric_edge_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetFabricVertexExpProcAddrTable, ze_fabric_vertex_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetFenceProcAddrTable, ze_fence_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetImageExpProcAddrTable, ze_image_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetImageProcAddrTable, ze_image_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetKernelExpProcAddrTable, ze_kernel_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zeGetSamplerProcAddrTable, ze_sampler_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetDeviceProcAddrTable, zes_device_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetDiagnosticsProcAddrTable, zes_diagnostics_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetDriverProcAddrTable, zes_driver_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetEngineProcAddrTable, zes_engine_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetFabricPortProcAddrTable, zes_fabric_port_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetFanProcAddrTable, zes_fan_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetFirmwareProcAddrTable, zes_firmware_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetFrequencyProcAddrTable, zes_frequency_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetLedProcAddrTable, zes_led_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetMemoryProcAddrTable, zes_memory_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetPerformanceFactorProcAddrTable, zes_performance_factor_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetPowerProcAddrTable, zes_power_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetPsuProcAddrTable, zes_psu_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetRasProcAddrTable, zes_ras_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetSchedulerProcAddrTable, zes_scheduler_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetStandbyProcAddrTable, zes_standby_dditable_t)
HAL_FAKE_ZE_TABLE(zesGetTemperatureProcAddrTable, zes_temperature_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetCommandListProcAddrTable, zet_command_list_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetContextProcAddrTable, zet_context_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetDebugProcAddrTable, zet_debug_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetDeviceProcAddrTable, zet_device_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetKernelProcAddrTable, zet_kernel_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricGroupExpProcAddrTable, zet_metric_group_exp_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricGroupProcAddrTable, zet_metric_group_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricProcAddrTable, zet_metric_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricQueryPoolProcAddrTable, zet_metric_query_pool_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricQueryProcAddrTable, zet_metric_query_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetMetricStreamerProcAddrTable, zet_metric_streamer_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetModuleProcAddrTable, zet_module_dditable_t)
HAL_FAKE_ZE_TABLE(zetGetTracerExpProcAddrTable, zet_tracer_exp_dditable_t)
