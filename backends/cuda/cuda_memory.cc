// Buffers: device memory through the context's caching allocator, pinned
// staging memory (cuMemAllocHost), registered host memory
// (cuMemHostRegister), and decommittable buffers on a reserved virtual range
// whose physical memory is unmapped and mapped again at the same address
// (cuMemAddressReserve, cuMemCreate, cuMemMap).
#include <unistd.h>

#include <memory>

#include "backends/cuda/cuda_entry_points.h"
#include "backends/cuda/cuda_handles.h"

namespace hal::cuda {
namespace {

uint64_t RoundUp(uint64_t value, uint64_t step) { return (value + step - 1) / step * step; }

uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

CUmemAllocationProp PhysicalProperties(const Device& device) {
  CUmemAllocationProp prop{};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  prop.location.id = device.device;
  return prop;
}

// New physical memory mapped read-write at the buffer's reserved range. On
// the device's out-of-memory the context's cache is trimmed and the creation
// tried once more, as for cached allocations.
hal_result Commit(Context& context, Buffer& buffer) {
  const CUmemAllocationProp prop = PhysicalProperties(context.device);
  CUmemGenericAllocationHandle physical = 0;
  hal_result result =
      HAL_CU(&context.health, cuMemCreate, &physical, buffer.allocated_size, &prop, 0);
  if (result == HAL_ERROR_OUT_OF_MEMORY && context.allocator->cached_bytes() > 0) {
    context.allocator->Trim();
    result = HAL_CU(&context.health, cuMemCreate, &physical, buffer.allocated_size, &prop, 0);
  }
  if (result != HAL_SUCCESS) return result;
  result = HAL_CU(&context.health, cuMemMap, buffer.address, buffer.allocated_size, 0, physical, 0);
  if (result == HAL_SUCCESS) {
    CUmemAccessDesc access{};
    access.location = prop.location;
    access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    result = HAL_CU(&context.health, cuMemSetAccess, buffer.address, buffer.allocated_size, &access,
                    1);
    if (result != HAL_SUCCESS) Api().cuMemUnmap(buffer.address, buffer.allocated_size);
  }
  if (result != HAL_SUCCESS) {
    Api().cuMemRelease(physical);
    return result;
  }
  buffer.physical = physical;
  buffer.committed = true;
  return HAL_SUCCESS;
}

void Decommit(Buffer& buffer) {
  Api().cuMemUnmap(buffer.address, buffer.allocated_size);
  Api().cuMemRelease(buffer.physical);
  buffer.physical = 0;
  buffer.committed = false;
}

hal_result AllocateVirtual(Context& context, Buffer& buffer) {
  buffer.backing = gpu::BufferBacking::kVirtual;
  buffer.allocated_size =
      RoundUp(buffer.size, context.device.properties.virtual_memory_granularity);
  CUdeviceptr address = 0;
  if (const hal_result r = HAL_CU(&context.health, cuMemAddressReserve, &address,
                                  buffer.allocated_size, 0, 0, 0)) {
    return r;
  }
  buffer.address = address;
  if (const hal_result r = Commit(context, buffer)) {
    Api().cuMemAddressFree(address, buffer.allocated_size);
    return r;
  }
  return HAL_SUCCESS;
}

hal_result AllocateStaging(Context& context, Buffer& buffer) {
  buffer.backing = gpu::BufferBacking::kHostStaging;
  buffer.allocated_size = RoundUp(buffer.size, PageSize());
  if (const hal_result r =
          HAL_CU(&context.health, cuMemAllocHost, &buffer.host, buffer.allocated_size)) {
    return r;
  }
  CUdeviceptr address = 0;
  if (const hal_result r =
          HAL_CU(&context.health, cuMemHostGetDevicePointer, &address, buffer.host, 0)) {
    Api().cuMemFreeHost(buffer.host);
    return r;
  }
  buffer.address = address;
  return HAL_SUCCESS;
}

hal_result AllocateCached(Context& context, Buffer& buffer) {
  buffer.backing = gpu::BufferBacking::kCached;
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
  if (buffer->backing == gpu::BufferBacking::kCached) {
    context.allocator->Free(buffer->block);
    return;
  }
  // Errors are not reported (the ABI's buffer_free returns nothing): a lost
  // context answers its sticky error and frees its memory with itself.
  ScopedCurrent current(context);
  switch (buffer->backing) {
    case gpu::BufferBacking::kHostStaging:
      Api().cuMemFreeHost(buffer->host);
      break;
    case gpu::BufferBacking::kHostRegistered:
      Api().cuMemHostUnregister(buffer->host);
      break;
    case gpu::BufferBacking::kVirtual:
      if (buffer->committed) Decommit(*buffer);
      Api().cuMemAddressFree(buffer->address, buffer->allocated_size);
      break;
    case gpu::BufferBacking::kCached:
      break;
  }
}

hal_result BufferMap(hal_drv_context* /*context*/, hal_drv_buffer* buffer_handle, void** out_host) {
  const Buffer& buffer = *Unwrap(buffer_handle);
  if (buffer.host == nullptr) {
    return gpu::Fail(HAL_ERROR_UNSUPPORTED,
                     "CUDA device memory is not host-visible; map a host-staging buffer");
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
    Decommit(*Unwrap(buffer_handle));
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
    buffer->backing = gpu::BufferBacking::kHostRegistered;
    buffer->host = desc->host;
    buffer->size = desc->size;
    const bool mapped = context.device.can_map_host_memory;
    const unsigned int flags =
        CU_MEMHOSTREGISTER_PORTABLE | (mapped ? CU_MEMHOSTREGISTER_DEVICEMAP : 0);
    if (const hal_result r =
            HAL_CU(&context.health, cuMemHostRegister, desc->host, desc->size, flags)) {
      return r;
    }
    // Without a mapping the unified address space makes the host pointer the
    // device's too.
    CUdeviceptr address = reinterpret_cast<CUdeviceptr>(desc->host);
    if (mapped) {
      if (const hal_result r =
              HAL_CU(&context.health, cuMemHostGetDevicePointer, &address, desc->host, 0)) {
        Api().cuMemHostUnregister(desc->host);
        return r;
      }
    }
    buffer->address = address;
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void ContextTrimMemory(hal_drv_context* context) { Unwrap(context)->allocator->Trim(); }

}  // namespace hal::cuda
