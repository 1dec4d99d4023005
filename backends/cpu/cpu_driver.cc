// The CPU driver's function table (its exported entry point is in
// cpu_driver_entry.cc). Each function translates an ABI call to the driver's
// objects; the runtime has validated the arguments already (hal_driver.h).
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "backends/common/device_properties.h"
#include "backends/common/streaming_stores.h"
#include "backends/cpu/cpu_commands.h"
#include "backends/cpu/cpu_context.h"
#include "backends/cpu/cpu_device.h"
#include "backends/cpu/cpu_driver_table.h"
#include "backends/cpu/cpu_error.h"
#include "backends/cpu/cpu_event.h"
#include "backends/cpu/cpu_handles.h"
#include "backends/cpu/cpu_memory.h"
#include "backends/cpu/cpu_module.h"
#include "backends/cpu/cpu_stream.h"
#include "hal/driver/hal_driver.h"

namespace hal::cpu {
namespace {

constexpr char kDriverVersion[] = "0.1.0";

hal_result Initialize() { return HAL_SUCCESS; }
void Shutdown() {}

// --- Devices ---

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = 1;
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t /*device_index*/, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(DeviceProperties(), props);
}

// The host is always usable: no device is left out.
uint32_t UnusableDeviceCount() { return 0; }
void UnusableDeviceGet(uint32_t /*index*/, const char** /*out_name*/, const char** /*out_reason*/) {
}

hal_result DeviceGetMemoryInfo(uint32_t /*device_index*/, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  return Guarded([&] { return GetMemoryInfo(out_free_bytes, out_total_bytes); });
}

// --- Contexts ---

hal_result ContextCreate(uint32_t /*device_index*/, const hal_context_desc* /*desc*/,
                         hal_drv_context** out_context) {
  // The CPU has no partitions (HAL_PARTITION_NONE), so desc asks for nothing.
  return Guarded([&] {
    *out_context = Wrap<hal_drv_context>(std::make_unique<Context>());
    return HAL_SUCCESS;
  });
}

void ContextDestroy(hal_drv_context* context) { Destroy(context); }

hal_result ContextGetPartition(hal_drv_context* /*context*/, uint32_t* out_units) {
  *out_units = DeviceProperties().partition_max_units;
  return HAL_SUCCESS;
}

// --- Memory ---

hal_result BufferAllocate(hal_drv_context* /*context*/, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  // Device and staging memory are the same host memory; a decommittable
  // buffer is a reserved range instead of heap memory.
  return Guarded([&] {
    std::unique_ptr<Buffer> buffer;
    const hal_result result = (desc->flags & HAL_BUFFER_FLAG_DECOMMITTABLE) != 0
                                  ? Buffer::AllocateDecommittable(desc->size, &buffer)
                                  : Buffer::Allocate(desc->size, &buffer);
    if (result != HAL_SUCCESS) return result;
    *out_allocated_size = buffer->allocated_size();
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* context, hal_drv_buffer* buffer) {
  if (Unwrap(buffer)->registered()) {
    Unwrap(context)->registered_memory().Remove(Unwrap(buffer)->data());
  }
  Destroy(buffer);
}

hal_result BufferMap(hal_drv_context* /*context*/, hal_drv_buffer* buffer, void** out_host) {
  *out_host = Unwrap(buffer)->data();
  return HAL_SUCCESS;
}

// --- Optional capabilities: device addresses, virtual memory, registration ---

// Kernels see buffers at their host addresses.
hal_result BufferDeviceAddress(hal_drv_context* /*context*/, hal_drv_buffer* buffer,
                               uint64_t* out_address) {
  *out_address = reinterpret_cast<uintptr_t>(Unwrap(buffer)->data());
  return HAL_SUCCESS;
}

hal_result BufferDecommit(hal_drv_context* /*context*/, hal_drv_buffer* buffer) {
  return Guarded([&] { return Unwrap(buffer)->Decommit(); });
}

hal_result BufferRecommit(hal_drv_context* /*context*/, hal_drv_buffer* buffer) {
  return Guarded([&] { return Unwrap(buffer)->Recommit(); });
}

// The caller's memory is already the device's: nothing to pin or copy.
hal_result HostRegister(hal_drv_context* context, const hal_host_registration_desc* desc,
                        hal_drv_buffer** out_buffer) {
  return Guarded([&] {
    std::unique_ptr<Buffer> buffer = Buffer::Register(desc->host, desc->size);
    Unwrap(context)->registered_memory().Add(desc->host, desc->size, buffer.get());
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

// --- Streams ---

// Priorities are not a CPU capability: every stream's worker is alike.
hal_result StreamCreate(hal_drv_context* context, const hal_stream_desc* /*desc*/,
                        hal_drv_stream** out_stream) {
  return Guarded([&] {
    *out_stream = Wrap<hal_drv_stream>(std::make_unique<Stream>(*Unwrap(context)));
    return HAL_SUCCESS;
  });
}

void StreamDestroy(hal_drv_stream* stream) { Destroy(stream); }

// Queues `command`; pushing it may allocate.
hal_result Submit(hal_drv_stream* stream, Command command) {
  return Guarded([&] {
    Unwrap(stream)->Submit(std::move(command));
    return HAL_SUCCESS;
  });
}

std::byte* At(hal_drv_buffer* buffer, uint64_t offset) { return Unwrap(buffer)->data() + offset; }

hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  return Submit(stream, CopyCommand{static_cast<const std::byte*>(src), At(dst, dst_offset), size,
                                    Unwrap(stream)->context().StreamsCopy(src, size)});
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size) {
  return Submit(stream,
                CopyCommand{At(src, src_offset), static_cast<std::byte*>(dst), size,
                            Unwrap(stream)->context().StreamsCopy(At(src, src_offset), size)});
}

hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  return Submit(stream,
                CopyCommand{At(src, src_offset), At(dst, dst_offset), size,
                            Unwrap(stream)->context().StreamsCopy(At(src, src_offset), size)});
}

hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern) {
  return Submit(stream, FillCommand{At(dst, offset), size, pattern,
                                    Unwrap(stream)->context().StreamsFill(size)});
}

hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel,
                          const hal_dispatch_desc* desc) {
  const Kernel& cpu_kernel = *Unwrap(kernel);
  DispatchCommand dispatch{};
  dispatch.function = cpu_kernel.function;
  std::copy_n(desc->workgroup_count, 3, dispatch.workgroup_count);
  std::copy_n(cpu_kernel.workgroup_size, 3, dispatch.workgroup_size);
  for (uint32_t i = 0; i < desc->binding_count; ++i) {
    const hal_binding& binding = desc->bindings[i];
    dispatch.bindings[i] = At(binding.buffer, binding.offset);
    dispatch.binding_sizes[i] = Unwrap(binding.buffer)->allocated_size() - binding.offset;
  }
  dispatch.binding_count = desc->binding_count;
  if (desc->push_constant_size > 0) {
    std::memcpy(dispatch.push_constants.data(), desc->push_constants, desc->push_constant_size);
  }
  dispatch.push_constant_size = desc->push_constant_size;
  return Submit(stream, dispatch);
}

// The generation of `event`'s latest signal, for a caller that must wait for
// it; FAILED_PRECONDITION if it was never signalled, as waiting would never
// end.
hal_result LatestSignal(const Event& event, const char* what, uint64_t* out_generation) {
  *out_generation = event.latest_signal();
  if (*out_generation != 0) return HAL_SUCCESS;
  return Fail(HAL_ERROR_FAILED_PRECONDITION,
              std::string("cannot ") + what + " an event that was never signalled");
}

hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event) {
  const EventRef& shared = *Unwrap(event);
  return Submit(stream, SignalEventCommand{shared, shared->BeginSignal()});
}

hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event) {
  const EventRef& shared = *Unwrap(event);
  uint64_t generation = 0;
  if (const hal_result result = LatestSignal(*shared, "make a stream wait for", &generation);
      result != HAL_SUCCESS) {
    return result;
  }
  return Submit(stream, WaitEventCommand{shared, generation});
}

hal_result StreamSynchronize(hal_drv_stream* stream) {
  // Host code cannot fail asynchronously: there is no error to report.
  Unwrap(stream)->Synchronize();
  return HAL_SUCCESS;
}

hal_result StreamQuery(hal_drv_stream* stream) {
  return Unwrap(stream)->Idle() ? HAL_SUCCESS : HAL_NOT_READY;
}

// --- Events ---

hal_result EventCreate(hal_drv_context* /*context*/, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  return Guarded([&] {
    *out_event = Wrap<hal_drv_event>(std::make_unique<EventRef>(std::make_shared<Event>()));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event) { Destroy(event); }

hal_result EventQuery(hal_drv_event* event) {
  const Event& cpu_event = **Unwrap(event);
  const uint64_t latest = cpu_event.latest_signal();
  return latest != 0 && cpu_event.HasCompleted(latest) ? HAL_SUCCESS : HAL_NOT_READY;
}

hal_result EventSynchronize(hal_drv_event* event) {
  Event& cpu_event = **Unwrap(event);
  uint64_t generation = 0;
  if (const hal_result result = LatestSignal(cpu_event, "wait for", &generation);
      result != HAL_SUCCESS) {
    return result;
  }
  cpu_event.WaitFor(generation);
  return HAL_SUCCESS;
}

hal_result EventTimestampNs(hal_drv_event* event, uint64_t* out_ns) {
  const Event& cpu_event = **Unwrap(event);
  const uint64_t latest = cpu_event.latest_signal();
  if (latest == 0) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "an event that was never signalled has no time");
  }
  if (!cpu_event.HasCompleted(latest)) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, "the event's latest signal (generation " +
                                                   std::to_string(latest) +
                                                   ") has not been reached yet, so it has no time");
  }
  *out_ns = cpu_event.timestamp_ns();
  return HAL_SUCCESS;
}

// --- Modules and kernels ---

hal_result ModuleLoad(hal_drv_context* /*context*/, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  // The device takes one format, "cpu-elf:<arch>", which the runtime checked.
  return Guarded([&] {
    std::unique_ptr<Module> module;
    if (const hal_result result = Module::Load(desc->image, desc->image_size, &module);
        result != HAL_SUCCESS) {
      return result;
    }
    *out_module = Wrap<hal_drv_module>(std::move(module));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module) { Destroy(module); }

hal_result KernelGet(hal_drv_module* module, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  return Guarded([&] {
    Kernel* kernel = nullptr;
    if (const hal_result result = Unwrap(module)->GetKernel(desc->name, desc->signature, &kernel);
        result != HAL_SUCCESS) {
      return result;
    }
    *out_kernel = Wrap<hal_drv_kernel>(kernel);
    return HAL_SUCCESS;
  });
}

constexpr hal_driver_table kTable = {
    .type = HAL_STRUCTURE_TYPE_DRIVER_TABLE,
    .struct_size = sizeof(hal_driver_table),
    .abi_major = HAL_DRIVER_ABI_VERSION_MAJOR,
    .abi_minor = HAL_DRIVER_ABI_VERSION_MINOR,
    .name = "cpu",
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
    // The capabilities DeviceProperties() reports. The host has no vendor
    // objects to hand out, and nothing to cache: heap frees are cheap.
    .buffer_device_address = BufferDeviceAddress,
    .buffer_decommit = BufferDecommit,
    .buffer_recommit = BufferRecommit,
    .host_register = HostRegister,
    .native_handle = nullptr,
    .context_trim_memory = nullptr,
};

}  // namespace

const hal_driver_table& CpuDriverTable() { return kTable; }

}  // namespace hal::cpu
