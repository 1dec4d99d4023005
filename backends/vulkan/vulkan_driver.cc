// The Vulkan driver's function table and its one exported entry point. Each
// function translates an ABI call to the driver's objects; the runtime has
// validated the arguments already (hal_driver.h).
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "backends/common/device_properties.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_error.h"
#include "backends/vulkan/vulkan_event.h"
#include "backends/vulkan/vulkan_handles.h"
#include "backends/vulkan/vulkan_instance.h"
#include "backends/vulkan/vulkan_memory.h"
#include "backends/vulkan/vulkan_module.h"
#include "backends/vulkan/vulkan_stream.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

const PhysicalDevice& Device(uint32_t index) { return Instance::Get()->devices()[index]; }

hal_result Initialize() {
  return Guarded([] {
    Instance* instance = nullptr;
    return Instance::Create(&instance);
  });
}

void Shutdown() { Instance::Destroy(); }

// --- Devices ---

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(Instance::Get()->devices().size());
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t device_index, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(Device(device_index).properties, props);
}

hal_result DeviceGetMemoryInfo(uint32_t device_index, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  Instance::Get()->MemoryInfo(Device(device_index), out_free_bytes, out_total_bytes);
  return HAL_SUCCESS;
}

uint32_t UnusableDeviceCount() {
  return static_cast<uint32_t>(Instance::Get()->unusable_devices().size());
}

void UnusableDeviceGet(uint32_t index, const char** out_name, const char** out_reason) {
  const UnusableDevice& device = Instance::Get()->unusable_devices()[index];
  *out_name = device.name.c_str();
  *out_reason = device.reason.c_str();
}

// --- Contexts ---

hal_result ContextCreate(uint32_t device_index, const hal_context_desc* desc,
                         hal_drv_context** out_context) {
  // No hardware partitions (HAL_PARTITION_NONE): partition_units asks for nothing.
  const bool isolated = (desc->flags & HAL_CONTEXT_FLAG_VIRTUAL_DEVICE) != 0;
  return Guarded([&] {
    std::unique_ptr<Context> context;
    HAL_RETURN_IF_FAILED(Context::Create(Device(device_index), isolated, &context));
    *out_context = Wrap<hal_drv_context>(std::move(context));
    return HAL_SUCCESS;
  });
}

void ContextDestroy(hal_drv_context* context) { Destroy(context); }

hal_result ContextGetPartition(hal_drv_context* context, uint32_t* out_units) {
  *out_units = Unwrap(context)->physical().properties.partition_max_units;
  return HAL_SUCCESS;
}

// --- Memory ---

SubAllocator& MemoryOfKind(hal_drv_context* context, hal_buffer_kind kind) {
  return kind == HAL_BUFFER_HOST_STAGING ? Unwrap(context)->staging_memory()
                                         : Unwrap(context)->device_memory();
}

// A new buffer for the caller; one with a host address is indexed by it,
// so that host copies inside its mapping become buffer copies.
hal_drv_buffer* HandOut(hal_drv_context* context, std::unique_ptr<Buffer> buffer) {
  if (const std::byte* host = buffer->host(); host != nullptr) {
    Unwrap(context)->mapped_buffers().Add(host, buffer->size, buffer.get());
  }
  return Wrap<hal_drv_buffer>(std::move(buffer));
}

// No buffer flag is defined without a capability Vulkan lacks.
hal_result BufferAllocate(hal_drv_context* context, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  return Guarded([&] {
    std::unique_ptr<Buffer> buffer;
    HAL_RETURN_IF_FAILED(MemoryOfKind(context, desc->kind).Allocate(desc->size, &buffer));
    *out_allocated_size = buffer->size;
    *out_buffer = HandOut(context, std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* context, hal_drv_buffer* buffer) {
  std::unique_ptr<Buffer> owned(Unwrap(buffer));
  // Out of the index before its memory can be handed out again.
  if (const std::byte* host = owned->host(); host != nullptr) {
    Unwrap(context)->mapped_buffers().Remove(host);
  }
  BufferSource* allocator = owned->allocator;
  allocator->Free(std::move(owned));
}

// HAL_CAPABILITY_HOST_REGISTRATION, where the device offers
// VK_EXT_external_memory_host (host_memory_import.h).
hal_result HostRegister(hal_drv_context* context, const hal_host_registration_desc* desc,
                        hal_drv_buffer** out_buffer) {
  return Guarded([&] {
    HostMemoryImporter* importer = Unwrap(context)->host_memory();
    if (importer == nullptr) {
      return Fail(HAL_ERROR_UNSUPPORTED,
                  "the Vulkan device cannot import host memory (no VK_EXT_external_memory_host "
                  "with an alignment dividing the page size)");
    }
    std::unique_ptr<Buffer> buffer;
    HAL_RETURN_IF_FAILED(importer->Register(desc->host, desc->size, &buffer));
    *out_buffer = HandOut(context, std::move(buffer));
    return HAL_SUCCESS;
  });
}

hal_result BufferMap(hal_drv_context* /*context*/, hal_drv_buffer* buffer, void** out_host) {
  std::byte* host = Unwrap(buffer)->host();
  if (host == nullptr) {
    return Fail(HAL_ERROR_UNSUPPORTED,
                "a device-local Vulkan buffer has no host address; use a staging buffer");
  }
  *out_host = host;
  return HAL_SUCCESS;
}

// --- Streams ---

// Priorities are not honoured (no HAL_CAPABILITY_STREAM_PRIORITY): every
// stream submits to the context's one queue.
hal_result StreamCreate(hal_drv_context* context, const hal_stream_desc* /*desc*/,
                        hal_drv_stream** out_stream) {
  return Guarded([&] {
    std::unique_ptr<Stream> stream;
    HAL_RETURN_IF_FAILED(Stream::Create(*Unwrap(context), &stream));
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

hal_result EventCreate(hal_drv_context* context, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  return Guarded([&] {
    std::unique_ptr<Event> event;
    HAL_RETURN_IF_FAILED(Event::Create(*Unwrap(context), &event));
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event) { Destroy(event); }

hal_result EventQuery(hal_drv_event* event) { return Unwrap(event)->Query(); }

hal_result EventSynchronize(hal_drv_event* event) { return Unwrap(event)->Synchronize(); }

hal_result EventTimestampNs(hal_drv_event* event, uint64_t* out_ns) {
  return Guarded([&] { return Unwrap(event)->TimestampNs(out_ns); });
}

// --- Modules and kernels ---

hal_result ModuleLoad(hal_drv_context* context, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  // The device takes one format, "spirv-vulkan", which the runtime checked.
  return Guarded([&] {
    std::unique_ptr<Module> module;
    HAL_RETURN_IF_FAILED(Module::Load(*Unwrap(context), desc->image, desc->image_size, &module));
    *out_module = Wrap<hal_drv_module>(std::move(module));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module) { Destroy(module); }

hal_result KernelGet(hal_drv_module* module, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  return Guarded([&] {
    Kernel* kernel = nullptr;
    HAL_RETURN_IF_FAILED(Unwrap(module)->GetKernel(desc->name, desc->signature, &kernel));
    *out_kernel = Wrap<hal_drv_kernel>(kernel);
    return HAL_SUCCESS;
  });
}

// --- Native handles (HAL_CAPABILITY_NATIVE_HANDLES) ---

// Vulkan handles are pointers on 64-bit hosts and uint64_t on 32-bit ones.
template <typename Handle>
uint64_t Widen(Handle handle) {
  if constexpr (std::is_pointer_v<Handle>) {
    return reinterpret_cast<uintptr_t>(handle);
  } else {
    return static_cast<uint64_t>(handle);
  }
}

template <typename Handle>
hal_result Answer(const char* kind, Handle handle, hal_native_handle* out_handle) {
  out_handle->kind = kind;
  out_handle->value = Widen(handle);
  return HAL_SUCCESS;
}

hal_result NativeHandle(hal_drv_context* context, hal_object_kind kind, const void* object,
                        hal_native_handle* out_handle) {
  // The ABI passes objects as const void*; the driver's own are not const.
  void* const mutable_object = const_cast<void*>(object);
  return Guarded([&] {
    switch (kind) {
      case HAL_OBJECT_CONTEXT:
        return Answer("VkDevice", Unwrap(context)->device(), out_handle);
      case HAL_OBJECT_BUFFER: {
        Buffer& buffer = *Unwrap(static_cast<hal_drv_buffer*>(mutable_object));
        VkBuffer own = VK_NULL_HANDLE;
        HAL_RETURN_IF_FAILED(buffer.allocator->OwnBuffer(buffer, &own));
        return Answer("VkBuffer", own, out_handle);
      }
      case HAL_OBJECT_STREAM:
        // Every stream of a context shares its queue; the stream's own
        // ordering is a timeline semaphore, not a Vulkan object one submits to.
        return Answer("VkQueue",
                      Unwrap(static_cast<hal_drv_stream*>(mutable_object))->context().queue(),
                      out_handle);
      case HAL_OBJECT_MODULE:
        return Answer("VkShaderModule",
                      Unwrap(static_cast<hal_drv_module*>(mutable_object))->shader(), out_handle);
      case HAL_OBJECT_KERNEL:
        return Answer("VkPipeline", Unwrap(static_cast<hal_drv_kernel*>(mutable_object))->pipeline,
                      out_handle);
      case HAL_OBJECT_EVENT:
        break;
    }
    return Fail(HAL_ERROR_UNSUPPORTED,
                "a Vulkan driver event is a point on a stream's timeline semaphore with a "
                "timestamp query, not one Vulkan object: it has no native handle");
  });
}

constexpr hal_driver_table kTable = {
    .type = HAL_STRUCTURE_TYPE_DRIVER_TABLE,
    .struct_size = sizeof(hal_driver_table),
    .abi_major = HAL_DRIVER_ABI_VERSION_MAJOR,
    .abi_minor = HAL_DRIVER_ABI_VERSION_MINOR,
    .name = "vulkan",
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
    // Of the optional entries, host registration (where the device has
    // VK_EXT_external_memory_host) and native handles (PhysicalDevice's
    // capabilities).
    .buffer_device_address = nullptr,
    .buffer_decommit = nullptr,
    .buffer_recommit = nullptr,
    .host_register = HostRegister,
    .native_handle = NativeHandle,
    .context_trim_memory = nullptr,
};

}  // namespace
}  // namespace hal::vulkan

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* HAL_DRIVER_ENTRY_POINT(
    uint16_t runtime_abi_major, uint16_t /*runtime_abi_minor*/) {
  // Any minor version is served: struct_size tells the runtime what exists.
  if (runtime_abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) return nullptr;
  return &hal::vulkan::kTable;
}
