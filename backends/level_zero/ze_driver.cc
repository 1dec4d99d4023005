// The Level Zero driver's function table and its one exported entry point:
// initialization (libze_loader.so.1 loaded at run time, zeInit, enumeration),
// devices, contexts with sub-device partitions, and native handles; memory,
// streams, events and modules in their own files (ze_entry_points.h).
#include <memory>
#include <string>

#include "backends/common/device_properties.h"
#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"
#include "hal/driver/hal_driver.h"

namespace hal::level_zero {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

void Shutdown() {
  DriverState& state = State();
  for (ze_context_handle_t context : state.contexts) Api().zeContextDestroy(context);
  state.contexts.clear();
  state.devices.clear();
  state.unusable.clear();
  state.api = ZeApi{};
}

hal_result Initialize() {
  return Guarded([] {
    Shutdown();  // a second initialize starts afresh
    if (const hal_result r = LoadZeApi(&State().api)) return r;
    // With some drivers installed, calling anything after a failed zeInit
    // crashes the process (zeDriverGet segfaulted with Intel's
    // libze_intel_gpu.so.1 present: measured), so a failed zeInit ends here,
    // with the loader's answer.
    const ze_result_t init = Api().zeInit(ZE_INIT_FLAG_GPU_ONLY);
    if (init != ZE_RESULT_SUCCESS) {
      const std::string message =
          ZeErrors().Describe("zeInit", init,
                              init == ZE_RESULT_ERROR_UNINITIALIZED
                                  ? "the loader found no Level Zero driver that initializes"
                                  : "");
      State().api = ZeApi{};
      return driver_support::Fail(HAL_ERROR_UNAVAILABLE, message);
    }
    if (const hal_result r = EnumerateDevices()) {
      const std::string message = driver_support::LastErrorMessage();
      Shutdown();
      return driver_support::Fail(r == HAL_ERROR_UNAVAILABLE ? r : HAL_ERROR_UNAVAILABLE, message);
    }
    return HAL_SUCCESS;
  });
}

const char* LastErrorMessage() { return driver_support::LastErrorMessage(); }

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(State().devices.size());
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t device_index, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(State().devices[device_index]->properties, props);
}

// Level Zero's core API has no free-memory query (Sysman's is another
// library): free is reported as the whole memory, the runtime's ledger
// counting what hal itself allocated.
hal_result DeviceGetMemoryInfo(uint32_t device_index, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  const uint64_t total = State().devices[device_index]->properties.total_memory_bytes;
  *out_free_bytes = total;
  *out_total_bytes = total;
  return HAL_SUCCESS;
}

uint32_t UnusableDeviceCount() { return static_cast<uint32_t>(State().unusable.size()); }

void UnusableDeviceGet(uint32_t index, const char** out_name, const char** out_reason) {
  const UnusableDevice& device = State().unusable[index];
  *out_name = device.name.c_str();
  *out_reason = device.reason.c_str();
}

hal_result ContextCreate(uint32_t device_index, const hal_context_desc* desc,
                         hal_drv_context** out_context) {
  return Guarded([&] {
    Device& device = *State().devices[device_index];
    auto context = std::make_unique<Context>();
    context->device = &device;
    const hal_device_properties& props = device.properties;
    if (props.partition_kind == HAL_PARTITION_SUBDEVICE && desc->partition_units != 0 &&
        device.partitions->Granted(desc->partition_units) < props.partition_max_units) {
      if (const hal_result r = device.partitions->Take(desc->partition_units, &context->lease)) {
        return r;
      }
      for (uint32_t unit : context->lease.units()) {
        context->targets.push_back(device.subdevices[unit]);
      }
      context->units = context->lease.count();
    } else {
      context->targets.push_back(device.device);
      context->units = props.partition_max_units;
    }
    *out_context = Wrap<hal_drv_context>(std::move(context));
    return HAL_SUCCESS;
  });
}

void ContextDestroy(hal_drv_context* handle) {
  delete Unwrap(handle);  // its lease gives the sub-devices back
}

hal_result ContextGetPartition(hal_drv_context* context, uint32_t* out_units) {
  *out_units = Unwrap(context)->units;
  return HAL_SUCCESS;
}

template <typename T>
uint64_t Widen(T handle) {
  return reinterpret_cast<uint64_t>(handle);
}

hal_result NativeHandle(hal_drv_context* context, hal_object_kind kind, const void* object,
                        hal_native_handle* out_handle) {
  switch (kind) {
    case HAL_OBJECT_CONTEXT:
      *out_handle = {"ze_context_handle_t", Widen(Unwrap(context)->device->context)};
      return HAL_SUCCESS;
    case HAL_OBJECT_BUFFER:
      *out_handle = {"void*", Widen(static_cast<const Buffer*>(object)->pointer)};
      return HAL_SUCCESS;
    case HAL_OBJECT_STREAM:
      *out_handle = {"ze_command_list_handle_t", Widen(static_cast<const Stream*>(object)->list)};
      return HAL_SUCCESS;
    case HAL_OBJECT_EVENT:
      return driver_support::Fail(HAL_ERROR_UNSUPPORTED,
                                  "a Level Zero driver event has no one vendor event: each "
                                  "signal uses a ze_event_handle_t of its own");
    case HAL_OBJECT_MODULE:
      *out_handle = {"ze_module_handle_t",
                     Widen(static_cast<const Module*>(object)->modules.front())};
      return HAL_SUCCESS;
    case HAL_OBJECT_KERNEL:
      *out_handle = {"ze_kernel_handle_t",
                     Widen(static_cast<const Kernel*>(object)->kernels.front())};
      return HAL_SUCCESS;
  }
  return driver_support::Fail(HAL_ERROR_UNSUPPORTED,
                              "no Level Zero object of kind " + std::to_string(kind));
}

hal_driver_table MakeTable() {
  hal_driver_table table{};
  table.type = HAL_STRUCTURE_TYPE_DRIVER_TABLE;
  table.struct_size = sizeof(hal_driver_table);
  table.abi_major = HAL_DRIVER_ABI_VERSION_MAJOR;
  table.abi_minor = HAL_DRIVER_ABI_VERSION_MINOR;
  table.name = "level_zero";
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
  table.native_handle = &NativeHandle;
  return table;
}

}  // namespace

DriverState& State() {
  // Destroyed when the runtime unloads the driver, after shutdown(): a
  // leaked heap object would be unreachable once the plugin is closed.
  static DriverState state;
  return state;
}

}  // namespace hal::level_zero

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* hal_driver_get_table(uint16_t runtime_abi_major,
                                                                          uint16_t /*minor*/) {
  static const hal_driver_table table = hal::level_zero::MakeTable();
  return runtime_abi_major == HAL_DRIVER_ABI_VERSION_MAJOR ? &table : nullptr;
}
