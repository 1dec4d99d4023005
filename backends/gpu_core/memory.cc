// Buffers: device memory through the context's caching allocator, pinned
// staging memory, registered host memory, and decommittable buffers on a
// reserved virtual range whose physical memory is unmapped and mapped again
// at the same address.
#include <unistd.h>

#include <memory>

#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/table_functions.h"

namespace hal::gpu {
namespace {

uint64_t AlignUp(uint64_t value, uint64_t step) { return (value + step - 1) / step * step; }

uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

// New physical memory mapped read-write at the buffer's reserved range. On
// the device's out-of-memory the context's cache is trimmed and the creation
// tried once more, as for cached allocations.
hal_result Commit(Context& context, Buffer& buffer) {
  Vendor& vendor = context.vendor;
  uint64_t physical = 0;
  hal_result result = vendor.PhysicalCreate(context, buffer.allocated_size, &physical);
  if (result == HAL_ERROR_OUT_OF_MEMORY && context.allocator->cached_bytes() > 0) {
    context.allocator->Trim();
    result = vendor.PhysicalCreate(context, buffer.allocated_size, &physical);
  }
  if (result != HAL_SUCCESS) return result;
  if (const hal_result r = vendor.Map(context, buffer.address, buffer.allocated_size, physical)) {
    vendor.PhysicalRelease(context, physical);
    return r;
  }
  buffer.physical = physical;
  buffer.committed = true;
  return HAL_SUCCESS;
}

void Decommit(Context& context, Buffer& buffer) {
  context.vendor.Unmap(context, buffer.address, buffer.allocated_size);
  context.vendor.PhysicalRelease(context, buffer.physical);
  buffer.physical = 0;
  buffer.committed = false;
}

hal_result AllocateVirtual(Context& context, Buffer& buffer) {
  buffer.backing = BufferBacking::kVirtual;
  buffer.allocated_size =
      AlignUp(buffer.size, context.device.properties.virtual_memory_granularity);
  if (const hal_result r =
          context.vendor.AddressReserve(context, buffer.allocated_size, &buffer.address)) {
    return r;
  }
  if (const hal_result r = Commit(context, buffer)) {
    context.vendor.AddressFree(context, buffer.address, buffer.allocated_size);
    return r;
  }
  return HAL_SUCCESS;
}

hal_result AllocateStaging(Context& context, Buffer& buffer) {
  buffer.backing = BufferBacking::kHostStaging;
  buffer.allocated_size = AlignUp(buffer.size, PageSize());
  if (const hal_result r = context.vendor.HostAlloc(context, buffer.allocated_size, &buffer.host)) {
    return r;
  }
  if (const hal_result r =
          context.vendor.HostDevicePointer(context, buffer.host, &buffer.address)) {
    context.vendor.HostFree(context, buffer.host);
    return r;
  }
  return HAL_SUCCESS;
}

hal_result AllocateCached(Context& context, Buffer& buffer) {
  buffer.backing = BufferBacking::kCached;
  if (const hal_result r = context.allocator->Allocate(buffer.size, &buffer.block)) return r;
  buffer.address = buffer.block.address;
  buffer.allocated_size = buffer.block.size;
  return HAL_SUCCESS;
}

}  // namespace

hal_result BufferAllocate(hal_drv_context* context_handle, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    auto buffer = std::make_unique<Buffer>();
    buffer->size = desc->size;
    hal_result result;
    if (desc->kind == HAL_BUFFER_HOST_STAGING) {
      result = AllocateStaging(context, *buffer);
    } else if (desc->flags & HAL_BUFFER_FLAG_DECOMMITTABLE) {
      result = AllocateVirtual(context, *buffer);
    } else {
      result = AllocateCached(context, *buffer);
    }
    if (result != HAL_SUCCESS) return result;
    *out_allocated_size = buffer->allocated_size;
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* context_handle, hal_drv_buffer* buffer_handle) {
  Context& context = *Unwrap(context_handle);
  std::unique_ptr<Buffer> buffer(Unwrap(buffer_handle));
  if (buffer->backing == BufferBacking::kCached) {
    context.allocator->Free(buffer->block);
    return;
  }
  // Errors are not reported (the ABI's buffer_free returns nothing): a lost
  // context answers its sticky error and frees its memory with itself.
  ScopedCurrent current(context);
  Vendor& vendor = context.vendor;
  switch (buffer->backing) {
    case BufferBacking::kHostStaging:
      vendor.HostFree(context, buffer->host);
      break;
    case BufferBacking::kHostRegistered:
      vendor.HostUnregister(context, buffer->host);
      break;
    case BufferBacking::kVirtual:
      if (buffer->committed) Decommit(context, *buffer);
      vendor.AddressFree(context, buffer->address, buffer->allocated_size);
      break;
    case BufferBacking::kCached:
      break;
  }
}

hal_result BufferMap(hal_drv_context* context_handle, hal_drv_buffer* buffer_handle,
                     void** out_host) {
  const Buffer& buffer = *Unwrap(buffer_handle);
  if (buffer.host == nullptr) {
    return Fail(HAL_ERROR_UNSUPPORTED,
                std::string(Unwrap(context_handle)->vendor.display_name()) +
                    " device memory is not host-visible; map a host-staging buffer");
  }
  *out_host = buffer.host;
  return HAL_SUCCESS;
}

hal_result BufferDeviceAddress(hal_drv_context* /*context*/, hal_drv_buffer* buffer,
                               uint64_t* out_address) {
  *out_address = Unwrap(buffer)->address;
  return HAL_SUCCESS;
}

hal_result BufferDecommit(hal_drv_context* context_handle, hal_drv_buffer* buffer_handle) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    Decommit(context, *Unwrap(buffer_handle));
    return HAL_SUCCESS;
  });
}

hal_result BufferRecommit(hal_drv_context* context_handle, hal_drv_buffer* buffer_handle) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] { return Commit(context, *Unwrap(buffer_handle)); });
}

hal_result HostRegister(hal_drv_context* context_handle, const hal_host_registration_desc* desc,
                        hal_drv_buffer** out_buffer) {
  Context& context = *Unwrap(context_handle);
  return InContext(context, [&] {
    auto buffer = std::make_unique<Buffer>();
    buffer->backing = BufferBacking::kHostRegistered;
    buffer->host = desc->host;
    buffer->size = desc->size;
    const bool mapped = context.device.can_map_host_memory;
    Vendor& vendor = context.vendor;
    if (const hal_result r = vendor.HostRegister(context, desc->host, desc->size, mapped)) return r;
    // Without a mapping the unified address space makes the host pointer the
    // device's too.
    buffer->address = reinterpret_cast<uint64_t>(desc->host);
    if (mapped) {
      if (const hal_result r = vendor.HostDevicePointer(context, desc->host, &buffer->address)) {
        vendor.HostUnregister(context, desc->host);
        return r;
      }
    }
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void ContextTrimMemory(hal_drv_context* context) { Unwrap(context)->allocator->Trim(); }

}  // namespace hal::gpu
