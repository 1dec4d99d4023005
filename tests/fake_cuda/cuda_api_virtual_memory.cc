// Virtual memory: reserve an address range, create physical memory (counted
// against the device's capacity), map it, give access, unmap, release.
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

bool Granular(uint64_t value) { return value % kVmmGranularity == 0; }

// The device a property describes, if it is a device location with VMM.
Device* VmmDevice(const CUmemAllocationProp* prop) {
  if (prop == nullptr || prop->type != CU_MEM_ALLOCATION_TYPE_PINNED ||
      prop->location.type != CU_MEM_LOCATION_TYPE_DEVICE) {
    return nullptr;
  }
  Device* device = DeviceAt(prop->location.id);
  return device != nullptr && device->vmm ? device : nullptr;
}

CUresult CUDAAPI MemGetAllocationGranularity(size_t* granularity, const CUmemAllocationProp* prop,
                                             CUmemAllocationGranularity_flags option) {
  FAKE_CU_ENTER_INITIALIZED("cuMemGetAllocationGranularity");
  (void)option;
  if (granularity == nullptr || VmmDevice(prop) == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *granularity = kVmmGranularity;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemAddressReserve(CUdeviceptr* pointer, size_t size, size_t alignment,
                                   CUdeviceptr address, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAddressReserve");
  (void)address;  // a hint only, as for the real driver
  if (pointer == nullptr || size == 0 || !Granular(size) || flags != 0 ||
      (alignment & (alignment - 1)) != 0) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  absl::StatusOr<uintptr_t> base =
      ReserveAddressRange(size, std::max<uint64_t>(alignment, kVmmGranularity));
  if (!base.ok()) return CUDA_ERROR_OUT_OF_MEMORY;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  state.reservations.emplace(*base, size);
  *pointer = *base;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemAddressFree(CUdeviceptr pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAddressFree");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.reservations.find(pointer);
  if (it == state.reservations.end() || it->second != size) return CUDA_ERROR_INVALID_VALUE;
  const auto mapped = state.mappings.lower_bound(pointer);
  if (mapped != state.mappings.end() && mapped->first < pointer + size) {
    return CUDA_ERROR_INVALID_VALUE;  // still mapped
  }
  (void)ReleaseAddressRange(pointer, size);
  state.reservations.erase(it);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemCreate(CUmemGenericAllocationHandle* handle, size_t size,
                           const CUmemAllocationProp* prop, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemCreate");
  Device* device = VmmDevice(prop);
  if (handle == nullptr || device == nullptr || size == 0 || !Granular(size) || flags != 0) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (!device->memory->Charge(size).ok()) return CUDA_ERROR_OUT_OF_MEMORY;
  absl::StatusOr<PhysicalMemory> memory = PhysicalMemory::Create(size);
  if (!memory.ok()) {
    device->memory->Uncharge(size);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const uint64_t id = state.next_physical_handle++;
  state.physical.emplace(id, State::Physical{device, *std::move(memory), 0, false});
  *handle = id;
  return CUDA_SUCCESS;
}

// Frees physical memory once it is released and no longer mapped (the real
// driver keeps released memory alive while a mapping uses it).
void FreeIfUnusedLocked(State& state, std::map<uint64_t, State::Physical>::iterator it) {
  if (!it->second.released || it->second.mappings > 0) return;
  it->second.device->memory->Uncharge(it->second.memory.size());
  state.physical.erase(it);
}

CUresult CUDAAPI MemRelease(CUmemGenericAllocationHandle handle) {
  FAKE_CU_ENTER_INITIALIZED("cuMemRelease");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.physical.find(handle);
  if (it == state.physical.end() || it->second.released) return CUDA_ERROR_INVALID_VALUE;
  it->second.released = true;
  FreeIfUnusedLocked(state, it);
  return CUDA_SUCCESS;
}

// Whether [pointer, pointer + size) lies inside one reservation.
bool ReservedLocked(const State& state, uintptr_t pointer, uint64_t size) {
  auto it = state.reservations.upper_bound(pointer);
  if (it == state.reservations.begin()) return false;
  --it;
  return pointer >= it->first && pointer - it->first <= it->second &&
         size <= it->second - (pointer - it->first);
}

CUresult CUDAAPI MemMap(CUdeviceptr pointer, size_t size, size_t offset,
                        CUmemGenericAllocationHandle handle, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemMap");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto physical = state.physical.find(handle);
  if (physical == state.physical.end() || physical->second.released || flags != 0 || size == 0 ||
      !Granular(pointer) || !Granular(size) || !Granular(offset) ||
      offset > physical->second.memory.size() || size > physical->second.memory.size() - offset ||
      !ReservedLocked(state, pointer, size)) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (!state.registry.Insert({pointer, size, MemoryKind::kVirtual,
                              physical->second.device->ordinal})) {
    return CUDA_ERROR_INVALID_VALUE;  // overlaps a mapping
  }
  if (!physical->second.memory.MapAt(pointer, size, offset).ok()) {
    state.registry.Erase(pointer);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  ++physical->second.mappings;
  state.mappings.emplace(pointer, State::Mapping{size, handle});
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemUnmap(CUdeviceptr pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemUnmap");
  State& state = Fake();
  Device* device = nullptr;
  {
    std::lock_guard lock(state.mutex);
    const auto it = state.mappings.find(pointer);
    if (it == state.mappings.end() || it->second.size != size) return CUDA_ERROR_INVALID_VALUE;
    device = state.physical.at(it->second.handle).device;
  }
  // The device stops using the range before it goes (cuMemUnmap synchronizes).
  DrainDevice(device);
  std::lock_guard lock(state.mutex);
  const auto it = state.mappings.find(pointer);
  if (it == state.mappings.end()) return CUDA_ERROR_INVALID_VALUE;
  (void)UnmapToReservation(pointer, size);
  state.registry.Erase(pointer);
  const auto physical = state.physical.find(it->second.handle);
  --physical->second.mappings;
  state.mappings.erase(it);
  FreeIfUnusedLocked(state, physical);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemSetAccess(CUdeviceptr pointer, size_t size, const CUmemAccessDesc* desc,
                              size_t count) {
  FAKE_CU_ENTER_INITIALIZED("cuMemSetAccess");
  if (desc == nullptr || count == 0) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  // The range must be covered by mappings end to end.
  uintptr_t at = pointer;
  while (at < pointer + size) {
    const auto it = state.mappings.find(at);
    if (it == state.mappings.end()) return CUDA_ERROR_INVALID_VALUE;
    at += it->second.size;
  }
  for (size_t i = 0; i < count; ++i) {
    if (desc[i].location.type != CU_MEM_LOCATION_TYPE_DEVICE || desc[i].location.id < 0 ||
        static_cast<size_t>(desc[i].location.id) >= state.devices.size()) {
      return CUDA_ERROR_INVALID_DEVICE;
    }
    if (desc[i].flags == CU_MEM_ACCESS_FLAGS_PROT_READWRITE &&
        !SetReadWrite(pointer, size).ok()) {
      return CUDA_ERROR_INVALID_VALUE;
    }
  }
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> VirtualMemoryEntryPoints() {
  return {
      {"cuMemGetAllocationGranularity", 10020, AsEntry(&MemGetAllocationGranularity)},
      {"cuMemAddressReserve", 10020, AsEntry(&MemAddressReserve)},
      {"cuMemAddressFree", 10020, AsEntry(&MemAddressFree)},
      {"cuMemCreate", 10020, AsEntry(&MemCreate)},
      {"cuMemRelease", 10020, AsEntry(&MemRelease)},
      {"cuMemMap", 10020, AsEntry(&MemMap)},
      {"cuMemUnmap", 10020, AsEntry(&MemUnmap)},
      {"cuMemSetAccess", 10020, AsEntry(&MemSetAccess)},
  };
}

}  // namespace hal::fake::cuda
