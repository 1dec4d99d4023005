// The OpenCL driver's function table and its one exported entry point. Each
// function translates an ABI call to the driver's objects; the runtime has
// validated the arguments already (hal_driver.h).
#include <cstdint>
#include <memory>
#include <string>

#include "backends/common/device_properties.h"
#include "backends/opencl/opencl_devices.h"
#include "backends/opencl/opencl_errors.h"
#include "backends/opencl/opencl_handles.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

Device& DeviceAt(uint32_t index) { return *Devices::Get().usable()[index]; }

hal_result Initialize() {
  return Guarded([] { return Devices::Initialize(); });
}

void Shutdown() { Devices::Shutdown(); }

// --- Devices ---

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(Devices::Get().usable().size());
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t device_index, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(DeviceAt(device_index).properties, props);
}

hal_result DeviceGetMemoryInfo(uint32_t device_index, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  const Device& device = DeviceAt(device_index);
  const uint64_t total = device.properties.total_memory_bytes;
  const uint64_t allocated = device.allocated_bytes.load();
  *out_total_bytes = total;
  *out_free_bytes = allocated < total ? total - allocated : 0;
  return HAL_SUCCESS;
}

uint32_t UnusableDeviceCount() { return static_cast<uint32_t>(Devices::Get().unusable().size()); }

void UnusableDeviceGet(uint32_t index, const char** out_name, const char** out_reason) {
  const UnusableDevice& device = Devices::Get().unusable()[index];
  *out_name = device.name.c_str();
  *out_reason = device.reason.c_str();
}

// --- Contexts ---

// OpenCL has no robust buffer access to turn on for a virtual device's
// context (HAL_CONTEXT_FLAG_VIRTUAL_DEVICE asks for it where it exists).
hal_result ContextCreate(uint32_t device_index, const hal_context_desc* desc,
                         hal_drv_context** out_context) {
  return Guarded([&] {
    std::unique_ptr<Context> context;
    HAL_CL_RETURN_IF_FAILED(Context::Create(DeviceAt(device_index), *desc, &context));
    *out_context = Wrap<hal_drv_context>(std::move(context));
    return HAL_SUCCESS;
  });
}

void ContextDestroy(hal_drv_context* context) { Destroy(context); }

hal_result ContextGetPartition(hal_drv_context* context, uint32_t* out_units) {
  *out_units = Unwrap(context)->units();
  return HAL_SUCCESS;
}

// --- Memory ---

// No buffer flag is defined without a capability OpenCL lacks.
hal_result BufferAllocate(hal_drv_context* context, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  return Guarded([&] {
    std::unique_ptr<Buffer> buffer;
    HAL_CL_RETURN_IF_FAILED(Buffer::Allocate(*Unwrap(context), *desc, &buffer));
    *out_allocated_size = buffer->allocated_size();
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* /*context*/, hal_drv_buffer* buffer) { Destroy(buffer); }

hal_result BufferMap(hal_drv_context* /*context*/, hal_drv_buffer* buffer, void** out_host) {
  std::byte* host = Unwrap(buffer)->host();
  if (host == nullptr) {
    return Fail(HAL_ERROR_UNSUPPORTED,
                "an OpenCL device buffer has no host address; use a staging buffer");
  }
  *out_host = host;
  return HAL_SUCCESS;
}

hal_result HostRegister(hal_drv_context* context, const hal_host_registration_desc* desc,
                        hal_drv_buffer** out_buffer) {
  return Guarded([&] {
    std::unique_ptr<Buffer> buffer;
    HAL_CL_RETURN_IF_FAILED(Buffer::Register(*Unwrap(context), *desc, &buffer));
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

// --- Streams ---

// Priorities are not honoured (no HAL_CAPABILITY_STREAM_PRIORITY).
hal_result StreamCreate(hal_drv_context* context, const hal_stream_desc* /*desc*/,
                        hal_drv_stream** out_stream) {
  return Guarded([&] {
    std::unique_ptr<Stream> stream;
    HAL_CL_RETURN_IF_FAILED(Stream::Create(*Unwrap(context), &stream));
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* stream) { Destroy(stream); }

hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  return Guarded(
      [&] { return Unwrap(stream)->CopyHostToDevice(src, *Unwrap(dst), dst_offset, size); });
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size) {
  return Guarded(
      [&] { return Unwrap(stream)->CopyDeviceToHost(*Unwrap(src), src_offset, dst, size); });
}

hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  return Guarded([&] {
    return Unwrap(stream)->CopyBuffer(*Unwrap(src), src_offset, *Unwrap(dst), dst_offset, size);
  });
}

hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern) {
  return Guarded([&] { return Unwrap(stream)->Fill(*Unwrap(dst), offset, size, pattern); });
}

hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel,
                          const hal_dispatch_desc* desc) {
  return Guarded([&] { return Unwrap(stream)->Dispatch(*Unwrap(kernel), *desc); });
}

hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return Guarded([&] { return Unwrap(stream)->SignalEvent(*Unwrap(event)); });
}

hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return Guarded([&] { return Unwrap(stream)->WaitEvent(*Unwrap(event)); });
}

hal_result StreamSynchronize(hal_drv_stream* stream) {
  return Guarded([&] { return Unwrap(stream)->Synchronize(); });
}

hal_result StreamQuery(hal_drv_stream* stream) {
  return Guarded([&] { return Unwrap(stream)->Query(); });
}

// --- Events ---

hal_result EventCreate(hal_drv_context* /*context*/, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  return Guarded([&] {
    *out_event = Wrap<hal_drv_event>(std::make_unique<Event>());
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event) { Destroy(event); }

hal_result EventQuery(hal_drv_event* event) {
  return Guarded([&] { return Unwrap(event)->Query(); });
}

hal_result EventSynchronize(hal_drv_event* event) {
  return Guarded([&] { return Unwrap(event)->Synchronize(); });
}

hal_result EventTimestampNs(hal_drv_event* event, uint64_t* out_ns) {
  return Guarded([&] { return Unwrap(event)->TimestampNs(out_ns); });
}

// --- Modules and kernels ---

hal_result ModuleLoad(hal_drv_context* context, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  return Guarded([&] {
    std::unique_ptr<Module> module;
    HAL_CL_RETURN_IF_FAILED(Module::Load(*Unwrap(context), *desc, &module));
    *out_module = Wrap<hal_drv_module>(std::move(module));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module) { Destroy(module); }

hal_result KernelGet(hal_drv_module* module, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  return Guarded([&] {
    Kernel* kernel = nullptr;
    HAL_CL_RETURN_IF_FAILED(Unwrap(module)->GetKernel(desc->name, desc->signature, &kernel));
    *out_kernel = Wrap<hal_drv_kernel>(kernel);
    return HAL_SUCCESS;
  });
}

// --- Native handles (HAL_CAPABILITY_NATIVE_HANDLES) ---

template <typename Handle>
hal_result Answer(const char* kind, Handle* handle, hal_native_handle* out_handle) {
  out_handle->kind = kind;
  out_handle->value = reinterpret_cast<uintptr_t>(handle);
  return HAL_SUCCESS;
}

hal_result NativeHandle(hal_drv_context* context, hal_object_kind kind, const void* object,
                        hal_native_handle* out_handle) {
  // The ABI passes objects as const void*; the driver's own are not const.
  void* const mutable_object = const_cast<void*>(object);
  return Guarded([&] {
    switch (kind) {
      case HAL_OBJECT_CONTEXT:
        return Answer("cl_context", Unwrap(context)->context(), out_handle);
      case HAL_OBJECT_BUFFER:
        return Answer("cl_mem", Unwrap(static_cast<hal_drv_buffer*>(mutable_object))->mem(),
                      out_handle);
      case HAL_OBJECT_STREAM:
        return Answer("cl_command_queue",
                      Unwrap(static_cast<hal_drv_stream*>(mutable_object))->queue(), out_handle);
      case HAL_OBJECT_MODULE:
        return Answer("cl_program", Unwrap(static_cast<hal_drv_module*>(mutable_object))->program(),
                      out_handle);
      case HAL_OBJECT_KERNEL:
        return Answer("cl_kernel", Unwrap(static_cast<hal_drv_kernel*>(mutable_object))->native(),
                      out_handle);
      case HAL_OBJECT_EVENT:
        break;
    }
    return Fail(HAL_ERROR_UNSUPPORTED,
                "an OpenCL driver event is the marker of its latest signal, a new cl_event "
                "each time: it has no stable native handle");
  });
}

constexpr hal_driver_table kTable = {
    .type = HAL_STRUCTURE_TYPE_DRIVER_TABLE,
    .struct_size = sizeof(hal_driver_table),
    .abi_major = HAL_DRIVER_ABI_VERSION_MAJOR,
    .abi_minor = HAL_DRIVER_ABI_VERSION_MINOR,
    .name = "opencl",
    .version = kDriverVersion,
    .initialize = Initialize,
    .shutdown = Shutdown,
    .last_error_message = LastErrorMessage,
    .device_count = DeviceCount,
    .device_get_properties = DeviceGetProperties,
    .device_get_memory_info = DeviceGetMemoryInfo,
    .unusable_device_count = UnusableDeviceCount,
    .unusable_device_get = UnusableDeviceGet,
    .context_create = ContextCreate,
    .context_destroy = ContextDestroy,
    .context_get_partition = ContextGetPartition,
    .buffer_allocate = BufferAllocate,
    .buffer_free = BufferFree,
    .buffer_map = BufferMap,
    .stream_create = StreamCreate,
    .stream_destroy = StreamDestroy,
    .stream_copy_host_to_device = StreamCopyHostToDevice,
    .stream_copy_device_to_host = StreamCopyDeviceToHost,
    .stream_copy_buffer = StreamCopyBuffer,
    .stream_fill = StreamFill,
    .stream_dispatch = StreamDispatch,
    .stream_signal_event = StreamSignalEvent,
    .stream_wait_event = StreamWaitEvent,
    .stream_synchronize = StreamSynchronize,
    .stream_query = StreamQuery,
    .event_create = EventCreate,
    .event_destroy = EventDestroy,
    .event_query = EventQuery,
    .event_synchronize = EventSynchronize,
    .event_timestamp_ns = EventTimestampNs,
    .module_load = ModuleLoad,
    .module_destroy = ModuleDestroy,
    .kernel_get = KernelGet,
    // Of the optional entries, host registration and native handles.
    .buffer_device_address = nullptr,
    .buffer_decommit = nullptr,
    .buffer_recommit = nullptr,
    .host_register = HostRegister,
    .native_handle = NativeHandle,
    .context_trim_memory = nullptr,
};

}  // namespace
}  // namespace hal::opencl

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* HAL_DRIVER_ENTRY_POINT(
    uint16_t runtime_abi_major, uint16_t /*runtime_abi_minor*/) {
  // Any minor version is served: struct_size tells the runtime what exists.
  if (runtime_abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) return nullptr;
  return &hal::opencl::kTable;
}
