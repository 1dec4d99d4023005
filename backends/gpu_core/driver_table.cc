// The driver ABI's table over a vendor: initialization (the vendor library
// loaded, its devices enumerated), devices, contexts and native handles
// here; memory, streams, events and modules in their own files
// (table_functions.h).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/common/device_properties.h"
#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/table_functions.h"

namespace hal::gpu {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

struct UnusableDevice {
  std::string name;
  std::string reason;
};

// The driver's process-wide state: its vendor (one per driver library) and
// the devices found at initialize(), alive until shutdown().
struct DriverState {
  Vendor* vendor = nullptr;
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<UnusableDevice> unusable;
};

DriverState& State() {
  // Destroyed when the runtime unloads the driver, after shutdown(): a
  // leaked heap object would be unreachable once the plugin is closed.
  static DriverState state;
  return state;
}

Vendor& TheVendor() { return *State().vendor; }

hal_result EnumerateDevices() {
  DriverState& state = State();
  const std::string vendor = TheVendor().display_name();
  int count = 0;
  if (const hal_result r = TheVendor().DeviceCount(&count)) return r;
  std::string reasons;
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    std::unique_ptr<Device> device;
    if (TheVendor().OpenDevice(ordinal, &device) == HAL_SUCCESS) {
      state.devices.push_back(std::move(device));
      continue;
    }
    const std::string name = device != nullptr && device->properties.name[0] != '\0'
                                 ? device->properties.name
                                 : vendor + " device " + std::to_string(ordinal);
    state.unusable.push_back({name, LastErrorMessage()});
    reasons += (reasons.empty() ? "" : "; ") + name + ": " + LastErrorMessage();
  }
  if (count == 0) return Fail(HAL_ERROR_UNAVAILABLE, "no " + vendor + " device: it counts 0");
  if (state.devices.empty()) {
    return Fail(HAL_ERROR_UNAVAILABLE, "no " + vendor + " device can be served: " + reasons);
  }
  return HAL_SUCCESS;
}

void Shutdown() {
  DriverState& state = State();
  TheVendor().Unload(state.devices);
  state.devices.clear();
  state.unusable.clear();
}

hal_result Initialize() {
  return Guarded([] {
    Shutdown();  // a second initialize starts afresh
    if (const hal_result r = TheVendor().Load()) {
      const std::string message = LastErrorMessage();
      Shutdown();
      return Fail(r == HAL_ERROR_UNAVAILABLE ? r : HAL_ERROR_UNAVAILABLE, message);
    }
    if (const hal_result r = EnumerateDevices()) {
      const std::string message = LastErrorMessage();
      Shutdown();
      return Fail(HAL_ERROR_UNAVAILABLE, message);
    }
    return HAL_SUCCESS;
  });
}

const char* DriverLastErrorMessage() { return LastErrorMessage(); }

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
  return Guarded([&] {
    return TheVendor().MemoryInfo(*State().devices[device_index], out_free_bytes, out_total_bytes);
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
  return Guarded([&] {
    std::unique_ptr<Context> context;
    if (const hal_result r =
            CreateContext(TheVendor(), *State().devices[device_index], *desc, &context)) {
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

hal_result NativeHandle(hal_drv_context* context, hal_object_kind kind_as_given,
                        const void* object, hal_native_handle* out_handle) {
  const NativeTypeNames names = TheVendor().native_type_names();
  // The caller's value, read as an int: a kind this ABI does not name is a
  // value the C++ enum may not hold.
  int kind = 0;
  static_assert(sizeof(kind) == sizeof(kind_as_given));
  std::memcpy(&kind, &kind_as_given, sizeof(kind));
  switch (kind) {
    case HAL_OBJECT_CONTEXT:
      if (Unwrap(context)->native == 0) break;  // the vendor library has no context object
      *out_handle = {names.context, Unwrap(context)->native};
      return HAL_SUCCESS;
    case HAL_OBJECT_BUFFER:
      *out_handle = {names.buffer, static_cast<const Buffer*>(object)->address};
      return HAL_SUCCESS;
    case HAL_OBJECT_STREAM:
      *out_handle = {names.stream, static_cast<const GpuStream*>(object)->handle};
      return HAL_SUCCESS;
    case HAL_OBJECT_EVENT:
      *out_handle = {names.event, static_cast<const GpuEvent*>(object)->handle};
      return HAL_SUCCESS;
    case HAL_OBJECT_MODULE:
      *out_handle = {names.module, static_cast<const GpuModule*>(object)->handle()};
      return HAL_SUCCESS;
    case HAL_OBJECT_KERNEL:
      *out_handle = {names.kernel, static_cast<const Kernel*>(object)->function};
      return HAL_SUCCESS;
  }
  return Fail(HAL_ERROR_UNSUPPORTED, std::string("no ") + TheVendor().display_name() +
                                         " object of kind " + std::to_string(kind));
}

hal_driver_table MakeTable() {
  hal_driver_table table{};
  table.type = HAL_STRUCTURE_TYPE_DRIVER_TABLE;
  table.struct_size = sizeof(hal_driver_table);
  table.abi_major = HAL_DRIVER_ABI_VERSION_MAJOR;
  table.abi_minor = HAL_DRIVER_ABI_VERSION_MINOR;
  table.name = TheVendor().driver_name();
  table.version = kDriverVersion;
  table.initialize = &Initialize;
  table.shutdown = &Shutdown;
  table.last_error_message = &DriverLastErrorMessage;
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

const hal_driver_table* DriverTable(Vendor& vendor) {
  State().vendor = &vendor;
  static const hal_driver_table table = MakeTable();
  return &table;
}

}  // namespace hal::gpu
