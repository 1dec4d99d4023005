// Device and host allocations, and virtual memory (reserve, physical memory,
// map, unmap) at stable addresses, on the fake vendor core.
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/fake_level_zero/fake_ze_api.h"
#include "tests/fake_level_zero/fake_ze_state.h"

namespace hal::fake::level_zero::api {
namespace {

ze_result_t RequireContext(ze_context_handle_t context) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  return context == &state.context && state.context_live ? ZE_RESULT_SUCCESS
                                                         : ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
}

}  // namespace

ze_result_t ZE_APICALL MemAllocDevice(ze_context_handle_t context,
                                      const ze_device_mem_alloc_desc_t* desc, size_t size,
                                      size_t alignment, ze_device_handle_t device, void** out) {
  FAKE_ZE_ENTER("zeMemAllocDevice");
  if (const ze_result_t r = RequireContext(context)) return r;
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (size == 0) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  if (alignment > kAllocationRounding) return ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT;
  absl::StatusOr<void*> pointer = device->memory->Allocate(size);
  if (!pointer.ok()) return ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  state.device_allocations[reinterpret_cast<uintptr_t>(*pointer)] = device;
  *out = *pointer;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL MemAllocHost(ze_context_handle_t context,
                                    const ze_host_mem_alloc_desc_t* desc, size_t size,
                                    size_t alignment, void** out) {
  FAKE_ZE_ENTER("zeMemAllocHost");
  if (const ze_result_t r = RequireContext(context)) return r;
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (size == 0) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  if (alignment > kAllocationRounding) return ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT;
  const uint64_t rounded = (size + kAllocationRounding - 1) / kAllocationRounding * kAllocationRounding;
  void* pointer = std::aligned_alloc(kAllocationRounding, rounded);
  if (pointer == nullptr) return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  State& state = Fake();
  state.registry.Insert({reinterpret_cast<uintptr_t>(pointer), size, MemoryKind::kHost, -1});
  std::lock_guard lock(state.mutex);
  state.host_allocations[reinterpret_cast<uintptr_t>(pointer)] = size;
  *out = pointer;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL MemFree(ze_context_handle_t context, void* pointer) {
  FAKE_ZE_ENTER("zeMemFree");
  if (const ze_result_t r = RequireContext(context)) return r;
  State& state = Fake();
  const auto base = reinterpret_cast<uintptr_t>(pointer);
  _ze_device_handle_t* device = nullptr;
  bool host = false;
  {
    std::lock_guard lock(state.mutex);
    if (const auto it = state.device_allocations.find(base); it != state.device_allocations.end()) {
      device = it->second;
      state.device_allocations.erase(it);
    } else if (state.host_allocations.erase(base) > 0) {
      host = true;
    } else {
      state.ledger.RecordViolation(absl::StrCat("zeMemFree(0x", absl::Hex(base),
                                                "): no allocation starts there"));
      return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    }
  }
  DrainCommandLists();
  if (host) {
    state.registry.Erase(base);
    std::free(pointer);
    return ZE_RESULT_SUCCESS;
  }
  return device->memory->Free(pointer).ok() ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_ARGUMENT;
}

ze_result_t ZE_APICALL VirtualMemQueryPageSize(ze_context_handle_t context,
                                               ze_device_handle_t device, size_t size,
                                               size_t* page_size) {
  FAKE_ZE_ENTER("zeVirtualMemQueryPageSize");
  if (const ze_result_t r = RequireContext(context)) return r;
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (page_size == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (!device->vmm) return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE;
  (void)size;
  *page_size = kVirtualPageSize;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL VirtualMemReserve(ze_context_handle_t context, const void* start,
                                         size_t size, void** out) {
  FAKE_ZE_ENTER("zeVirtualMemReserve");
  if (const ze_result_t r = RequireContext(context)) return r;
  if (out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (size == 0 || size % kVirtualPageSize != 0) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  (void)start;  // a hint only
  absl::StatusOr<uintptr_t> base = ReserveAddressRange(size, kVirtualPageSize);
  if (!base.ok()) return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  state.reservations[*base] = size;
  *out = reinterpret_cast<void*>(*base);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL VirtualMemFree(ze_context_handle_t context, const void* pointer,
                                      size_t size) {
  FAKE_ZE_ENTER("zeVirtualMemFree");
  if (const ze_result_t r = RequireContext(context)) return r;
  State& state = Fake();
  const auto base = reinterpret_cast<uintptr_t>(pointer);
  {
    std::lock_guard lock(state.mutex);
    const auto it = state.reservations.find(base);
    if (it == state.reservations.end() || it->second != size) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    for (const auto& [mapped, mapping] : state.mappings) {
      if (mapped >= base && mapped < base + size) {
        state.ledger.RecordViolation("zeVirtualMemFree: the range is still mapped");
        return ZE_RESULT_ERROR_INVALID_ARGUMENT;
      }
    }
    state.reservations.erase(it);
  }
  return ReleaseAddressRange(base, size).ok() ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_UNKNOWN;
}

ze_result_t ZE_APICALL PhysicalMemCreate(ze_context_handle_t context, ze_device_handle_t device,
                                         ze_physical_mem_desc_t* desc,
                                         ze_physical_mem_handle_t* out) {
  FAKE_ZE_ENTER("zePhysicalMemCreate");
  if (const ze_result_t r = RequireContext(context)) return r;
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (!device->vmm) return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE;
  if (desc->size == 0 || desc->size % kVirtualPageSize != 0) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  if (!device->memory->Charge(desc->size).ok()) return ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
  absl::StatusOr<PhysicalMemory> memory = PhysicalMemory::Create(desc->size);
  if (!memory.ok()) {
    device->memory->Uncharge(desc->size);
    return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  }
  auto physical = std::make_unique<_ze_physical_mem_handle_t>(device, *std::move(memory));
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *out = physical.get();
  state.physical.emplace(physical.get(), std::move(physical));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL PhysicalMemDestroy(ze_context_handle_t context,
                                          ze_physical_mem_handle_t handle) {
  FAKE_ZE_ENTER("zePhysicalMemDestroy");
  if (const ze_result_t r = RequireContext(context)) return r;
  State& state = Fake();
  std::unique_ptr<_ze_physical_mem_handle_t> physical;
  {
    std::lock_guard lock(state.mutex);
    const auto it = state.physical.find(handle);
    if (it == state.physical.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    if (it->second->mappings > 0) {
      state.ledger.RecordViolation("zePhysicalMemDestroy: the memory is still mapped");
      return ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE;
    }
    physical = std::move(it->second);
    state.physical.erase(it);
  }
  physical->device->memory->Uncharge(physical->memory.size());
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL VirtualMemMap(ze_context_handle_t context, const void* pointer, size_t size,
                                     ze_physical_mem_handle_t handle, size_t offset,
                                     ze_memory_access_attribute_t access) {
  FAKE_ZE_ENTER("zeVirtualMemMap");
  if (const ze_result_t r = RequireContext(context)) return r;
  State& state = Fake();
  const auto base = reinterpret_cast<uintptr_t>(pointer);
  std::lock_guard lock(state.mutex);
  const auto physical = state.physical.find(handle);
  if (physical == state.physical.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (size == 0 || size % kVirtualPageSize != 0 || offset + size > physical->second->memory.size()) {
    return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  }
  const auto reservation = state.reservations.upper_bound(base);
  if (reservation == state.reservations.begin() ||
      base + size > std::prev(reservation)->first + std::prev(reservation)->second) {
    state.ledger.RecordViolation("zeVirtualMemMap: the range is not inside a reservation");
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  if (!physical->second->memory.MapAt(base, size, offset).ok()) return ZE_RESULT_ERROR_UNKNOWN;
  if (access == ZE_MEMORY_ACCESS_ATTRIBUTE_READWRITE && !SetReadWrite(base, size).ok()) {
    return ZE_RESULT_ERROR_UNKNOWN;
  }
  state.registry.Insert({base, size, MemoryKind::kVirtual, static_cast<int>(physical->second->device->ordinal)});
  state.mappings[base] = {size, physical->second.get()};
  ++physical->second->mappings;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL VirtualMemUnmap(ze_context_handle_t context, const void* pointer,
                                       size_t size) {
  FAKE_ZE_ENTER("zeVirtualMemUnmap");
  if (const ze_result_t r = RequireContext(context)) return r;
  DrainCommandLists();
  State& state = Fake();
  const auto base = reinterpret_cast<uintptr_t>(pointer);
  std::lock_guard lock(state.mutex);
  const auto mapping = state.mappings.find(base);
  if (mapping == state.mappings.end() || mapping->second.size != size) {
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  if (!UnmapToReservation(base, size).ok()) return ZE_RESULT_ERROR_UNKNOWN;
  state.registry.Erase(base);
  --mapping->second.physical->mappings;
  state.mappings.erase(mapping);
  return ZE_RESULT_SUCCESS;
}

}  // namespace hal::fake::level_zero::api
