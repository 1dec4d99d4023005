// Buffers: device memory (zeMemAllocDevice on the root device, which its
// sub-devices reach), host staging memory (zeMemAllocHost), and decommittable
// buffers on a reserved virtual range whose physical memory is created and
// mapped (zePhysicalMemCreate, zeVirtualMemMap) or unmapped and destroyed.
#include <memory>

#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"

namespace hal::level_zero {
namespace {

uint64_t RoundUp(uint64_t size, uint64_t granularity) {
  return (size + granularity - 1) / granularity * granularity;
}

// Creates physical memory for all of `buffer` and maps it read-write.
hal_result Commit(Context& context, Buffer& buffer) {
  const ze_context_handle_t ze_context = context.device->context;
  ze_physical_mem_desc_t desc{ZE_STRUCTURE_TYPE_PHYSICAL_MEM_DESC, nullptr, 0,
                              buffer.allocated_size};
  ze_physical_mem_handle_t physical = nullptr;
  if (const hal_result r = HAL_ZE(&context.health, zePhysicalMemCreate, ze_context,
                                  context.device->device, &desc, &physical)) {
    return r;
  }
  if (const hal_result r =
          HAL_ZE(&context.health, zeVirtualMemMap, ze_context, buffer.pointer,
                 buffer.allocated_size, physical, 0, ZE_MEMORY_ACCESS_ATTRIBUTE_READWRITE)) {
    Api().zePhysicalMemDestroy(ze_context, physical);
    return r;
  }
  buffer.physical = physical;
  return HAL_SUCCESS;
}

void Decommit(Context& context, Buffer& buffer) {
  const ze_context_handle_t ze_context = context.device->context;
  Api().zeVirtualMemUnmap(ze_context, buffer.pointer, buffer.allocated_size);
  Api().zePhysicalMemDestroy(ze_context, buffer.physical);
  buffer.physical = nullptr;
}

hal_result AllocateVirtual(Context& context, uint64_t size, Buffer* buffer) {
  const uint64_t granularity = context.device->properties.virtual_memory_granularity;
  buffer->kind = Buffer::Kind::kVirtual;
  buffer->allocated_size = RoundUp(size, granularity);
  if (const hal_result r = HAL_ZE(&context.health, zeVirtualMemReserve, context.device->context,
                                  nullptr, buffer->allocated_size, &buffer->pointer)) {
    return r;
  }
  if (const hal_result r = Commit(context, *buffer)) {
    Api().zeVirtualMemFree(context.device->context, buffer->pointer, buffer->allocated_size);
    return r;
  }
  return HAL_SUCCESS;
}

}  // namespace

hal_result BufferAllocate(hal_drv_context* handle, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  return Guarded([&] {
    Context& context = *Unwrap(handle);
    if (const hal_result r = context.health.Check()) return r;
    auto buffer = std::make_unique<Buffer>();
    const uint64_t alignment = context.device->properties.min_buffer_alignment;
    if (desc->flags & HAL_BUFFER_FLAG_DECOMMITTABLE) {
      if (const hal_result r = AllocateVirtual(context, desc->size, buffer.get())) return r;
    } else if (desc->kind == HAL_BUFFER_HOST_STAGING) {
      const ze_host_mem_alloc_desc_t host_desc{ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, nullptr, 0};
      buffer->kind = Buffer::Kind::kHost;
      buffer->allocated_size =
          RoundUp(desc->size, context.device->properties.allocation_granularity);
      if (const hal_result r = HAL_ZE(&context.health, zeMemAllocHost, context.device->context,
                                      &host_desc, desc->size, alignment, &buffer->pointer)) {
        return r;
      }
    } else {
      const ze_device_mem_alloc_desc_t device_desc{ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC,
                                                   nullptr, 0, 0};
      buffer->allocated_size =
          RoundUp(desc->size, context.device->properties.allocation_granularity);
      if (const hal_result r =
              HAL_ZE(&context.health, zeMemAllocDevice, context.device->context, &device_desc,
                     desc->size, alignment, context.device->device, &buffer->pointer)) {
        return r;
      }
    }
    *out_allocated_size = buffer->allocated_size;
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* handle, hal_drv_buffer* buffer_handle) {
  Context& context = *Unwrap(handle);
  std::unique_ptr<Buffer> buffer(Unwrap(buffer_handle));
  const ze_context_handle_t ze_context = context.device->context;
  if (buffer->kind != Buffer::Kind::kVirtual) {
    Api().zeMemFree(ze_context, buffer->pointer);
    return;
  }
  if (buffer->physical != nullptr) Decommit(context, *buffer);
  Api().zeVirtualMemFree(ze_context, buffer->pointer, buffer->allocated_size);
}

hal_result BufferMap(hal_drv_context*, hal_drv_buffer* handle, void** out_host) {
  Buffer& buffer = *Unwrap(handle);
  if (buffer.kind != Buffer::Kind::kHost) {
    return driver_support::Fail(HAL_ERROR_UNSUPPORTED,
                                "Level Zero device memory is not mapped to the host");
  }
  *out_host = buffer.pointer;
  return HAL_SUCCESS;
}

hal_result BufferDeviceAddress(hal_drv_context*, hal_drv_buffer* handle, uint64_t* out_address) {
  *out_address = reinterpret_cast<uint64_t>(Unwrap(handle)->pointer);
  return HAL_SUCCESS;
}

hal_result BufferDecommit(hal_drv_context* handle, hal_drv_buffer* buffer) {
  Decommit(*Unwrap(handle), *Unwrap(buffer));
  return HAL_SUCCESS;
}

hal_result BufferRecommit(hal_drv_context* handle, hal_drv_buffer* buffer) {
  return Guarded([&] { return Commit(*Unwrap(handle), *Unwrap(buffer)); });
}

}  // namespace hal::level_zero
