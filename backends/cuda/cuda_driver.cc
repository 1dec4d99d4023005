// The CUDA driver's function table and its one exported entry point:
// initialization (libcuda loaded at run time, cuInit, enumeration), devices,
// contexts and native handles here; memory, streams, events and modules in
// their own files (cuda_entry_points.h).
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "backends/common/device_properties.h"
#include "backends/cuda/cuda_device.h"
#include "backends/cuda/cuda_entry_points.h"
#include "backends/cuda/cuda_handles.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

// Why cuInit failed, said plainly where libcuda's own words are terse.
std::string InitFailureHint(CUresult result) {
  switch (result) {
    case CUDA_ERROR_STUB_LIBRARY:
      return " (libcuda.so.1 is the CUDA toolkit's stub library, for linking only: install the "
             "NVIDIA driver)";
    case CUDA_ERROR_NO_DEVICE:
      return " (no NVIDIA GPU is visible to this process)";
    default:
      return "";
  }
}

void Shutdown() {
  ReleasePrimaries();
  DriverState& state = State();
  state.devices.clear();
  state.unusable.clear();
  state.api = CudaApi{};
}

hal_result Initialize() {
  return gpu::Guarded([] {
    Shutdown();  // a second initialize starts afresh
    if (const hal_result r = LoadCudaApi(&State().api)) return r;
    const CUresult init = Api().cuInit(0);
    if (init != CUDA_SUCCESS) {
      const hal_result result = Check(init, "cuInit");
      const std::string message = gpu::LastErrorMessage() + InitFailureHint(init);
      Shutdown();
      return gpu::Fail(result == HAL_ERROR_UNAVAILABLE ? result : HAL_ERROR_UNAVAILABLE, message);
    }
    if (const hal_result r = EnumerateDevices()) {
      const std::string message = gpu::LastErrorMessage();
      Shutdown();
      return gpu::Fail(HAL_ERROR_UNAVAILABLE, message);
    }
    return HAL_SUCCESS;
  });
}

const char* LastErrorMessage() { return gpu::LastErrorMessage(); }

// --- Devices ---

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(State().devices.size());
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t device_index, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(State().devices[device_index]->properties, props);
}

hal_result DeviceGetMemoryInfo(uint32_t device_index, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  return gpu::Guarded([&] {
    Device& device = *State().devices[device_index];
    CUcontext context = nullptr;
    if (const hal_result r = RetainPrimary(device, &context)) return r;
    if (const hal_result r = HAL_CU(nullptr, cuCtxPushCurrent, context)) return r;
    size_t free_bytes = 0, total_bytes = 0;
    const hal_result result = HAL_CU(nullptr, cuMemGetInfo, &free_bytes, &total_bytes);
    CUcontext popped = nullptr;
    Api().cuCtxPopCurrent(&popped);
    *out_free_bytes = free_bytes;
    *out_total_bytes = total_bytes;
    return result;
  });
}

uint32_t UnusableDeviceCount() { return static_cast<uint32_t>(State().unusable.size()); }

void UnusableDeviceGet(uint32_t index, const char** out_name, const char** out_reason) {
  const UnusableDevice& device = State().unusable[index];
  *out_name = device.name.c_str();
  *out_reason = device.reason.c_str();
}

// --- Contexts ---

hal_result ContextCreate(uint32_t device_index, const hal_context_desc* desc,
                         hal_drv_context** out_context) {
  return gpu::Guarded([&] {
    std::unique_ptr<Context> context;
    if (const hal_result r = CreateContext(*State().devices[device_index], *desc, &context)) {
      return r;
    }
    *out_context = Wrap<hal_drv_context>(std::move(context));
    return HAL_SUCCESS;
  });
}

void ContextDestroy(hal_drv_context* context) { delete Unwrap(context); }

hal_result ContextGetPartition(hal_drv_context* context, uint32_t* out_units) {
  *out_units = Unwrap(context)->units;
  return HAL_SUCCESS;
}

// --- Native handles ---

hal_result NativeHandle(hal_drv_context* context, hal_object_kind kind, const void* object,
                        hal_native_handle* out_handle) {
  switch (kind) {
    case HAL_OBJECT_CONTEXT:
      *out_handle = {"CUcontext", Widen(Unwrap(context)->context)};
      return HAL_SUCCESS;
    case HAL_OBJECT_BUFFER:
      *out_handle = {"CUdeviceptr", static_cast<const Buffer*>(object)->address};
      return HAL_SUCCESS;
    case HAL_OBJECT_STREAM:
      *out_handle = {"CUstream", static_cast<const Stream*>(object)->handle};
      return HAL_SUCCESS;
    case HAL_OBJECT_EVENT:
      *out_handle = {"CUevent", static_cast<const Event*>(object)->handle};
      return HAL_SUCCESS;
    case HAL_OBJECT_MODULE:
      *out_handle = {"CUmodule", static_cast<const Module*>(object)->handle()};
      return HAL_SUCCESS;
    case HAL_OBJECT_KERNEL:
      *out_handle = {"CUfunction", static_cast<const Kernel*>(object)->function};
      return HAL_SUCCESS;
  }
  return gpu::Fail(HAL_ERROR_UNSUPPORTED, "no CUDA object of kind " + std::to_string(kind));
}

hal_driver_table MakeTable() {
  hal_driver_table table{};
  table.type = HAL_STRUCTURE_TYPE_DRIVER_TABLE;
  table.struct_size = sizeof(hal_driver_table);
  table.abi_major = HAL_DRIVER_ABI_VERSION_MAJOR;
  table.abi_minor = HAL_DRIVER_ABI_VERSION_MINOR;
  table.name = "cuda";
  table.version = kDriverVersion;
  table.initialize = &Initialize;
  table.shutdown = &Shutdown;
  table.last_error_message = &LastErrorMessage;
  table.device_count = &DeviceCount;
  table.device_get_properties = &DeviceGetProperties;
  table.device_get_memory_info = &DeviceGetMemoryInfo;
  table.unusable_device_count = &UnusableDeviceCount;
  table.unusable_device_get = &UnusableDeviceGet;
  table.context_create = &ContextCreate;
  table.context_destroy = &ContextDestroy;
  table.context_get_partition = &ContextGetPartition;
  table.buffer_allocate = &BufferAllocate;
  table.buffer_free = &BufferFree;
  table.buffer_map = &BufferMap;
  table.stream_create = &StreamCreate;
  table.stream_destroy = &StreamDestroy;
  table.stream_copy_host_to_device = &StreamCopyHostToDevice;
  table.stream_copy_device_to_host = &StreamCopyDeviceToHost;
  table.stream_copy_buffer = &StreamCopyBuffer;
  table.stream_fill = &StreamFill;
  table.stream_dispatch = &StreamDispatch;
  table.stream_signal_event = &StreamSignalEvent;
  table.stream_wait_event = &StreamWaitEvent;
  table.stream_synchronize = &StreamSynchronize;
  table.stream_query = &StreamQuery;
  table.event_create = &EventCreate;
  table.event_destroy = &EventDestroy;
  table.event_query = &EventQuery;
  table.event_synchronize = &EventSynchronize;
  table.event_timestamp_ns = &EventTimestampNs;
  table.module_load = &ModuleLoad;
  table.module_destroy = &ModuleDestroy;
  table.kernel_get = &KernelGet;
  // Optional entries, each behind a capability bit a device reports.
  table.buffer_device_address = &BufferDeviceAddress;
  table.buffer_decommit = &BufferDecommit;
  table.buffer_recommit = &BufferRecommit;
  table.host_register = &HostRegister;
  table.native_handle = &NativeHandle;
  table.context_trim_memory = &ContextTrimMemory;
  return table;
}

}  // namespace
}  // namespace hal::cuda

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* hal_driver_get_table(uint16_t runtime_abi_major,
                                                                          uint16_t /*minor*/) {
  static const hal_driver_table table = hal::cuda::MakeTable();
  return runtime_abi_major == HAL_DRIVER_ABI_VERSION_MAJOR ? &table : nullptr;
}
