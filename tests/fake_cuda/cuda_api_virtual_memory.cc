// Virtual memory on the vendor-neutral VirtualAddressSpace: reserve an
// address range, create physical memory (counted against the device's
// capacity), map it, give access, unmap, release.
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

// The device a property describes, if it is a device location with VMM.
Device* VmmDevice(const CUmemAllocationProp* prop) {
  if (prop == nullptr || prop->type != CU_MEM_ALLOCATION_TYPE_PINNED ||
      prop->location.type != CU_MEM_LOCATION_TYPE_DEVICE) {
    return nullptr;
  }
  Device* device = DeviceAt(prop->location.id);
  return device != nullptr && device->vmm ? device : nullptr;
}

CUresult ToCuda(const absl::Status& status) {
  if (status.ok()) return CUDA_SUCCESS;
  return status.code() == absl::StatusCode::kResourceExhausted ? CUDA_ERROR_OUT_OF_MEMORY
                                                               : CUDA_ERROR_INVALID_VALUE;
}

VirtualAddressSpace& Vm() { return *Fake().vm; }

CUresult CUDAAPI MemGetAllocationGranularity(size_t* granularity, const CUmemAllocationProp* prop,
                                             CUmemAllocationGranularity_flags option) {
  FAKE_CU_ENTER_INITIALIZED("cuMemGetAllocationGranularity");
  (void)option;
  if (granularity == nullptr || VmmDevice(prop) == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *granularity = Vm().granularity();
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemAddressReserve(CUdeviceptr* pointer, size_t size, size_t alignment,
                                   CUdeviceptr address, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAddressReserve");
  (void)address;  // a hint only, as for the real driver
  if (pointer == nullptr || flags != 0) return CUDA_ERROR_INVALID_VALUE;
  absl::StatusOr<uintptr_t> base = Vm().Reserve(size, alignment);
  if (!base.ok()) return ToCuda(base.status());
  *pointer = *base;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemAddressFree(CUdeviceptr pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAddressFree");
  return ToCuda(Vm().Free(pointer, size));
}

CUresult CUDAAPI MemCreate(CUmemGenericAllocationHandle* handle, size_t size,
                           const CUmemAllocationProp* prop, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemCreate");
  Device* device = VmmDevice(prop);
  if (handle == nullptr || device == nullptr || flags != 0) return CUDA_ERROR_INVALID_VALUE;
  absl::StatusOr<uint64_t> created = Vm().Create(device->ordinal, device->memory.get(), size);
  if (!created.ok()) return ToCuda(created.status());
  *handle = *created;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemRelease(CUmemGenericAllocationHandle handle) {
  FAKE_CU_ENTER_INITIALIZED("cuMemRelease");
  return ToCuda(Vm().Release(handle));
}

CUresult CUDAAPI MemMap(CUdeviceptr pointer, size_t size, size_t offset,
                        CUmemGenericAllocationHandle handle, unsigned long long flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemMap");
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  return ToCuda(Vm().Map(pointer, size, offset, handle));
}

CUresult CUDAAPI MemUnmap(CUdeviceptr pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemUnmap");
  absl::StatusOr<int> device = Vm().MappedDevice(pointer, size);
  if (!device.ok()) return ToCuda(device.status());
  // The device stops using the range before it goes (cuMemUnmap synchronizes).
  DrainDevice(DeviceAt(*device));
  return ToCuda(Vm().Unmap(pointer, size));
}

CUresult CUDAAPI MemSetAccess(CUdeviceptr pointer, size_t size, const CUmemAccessDesc* desc,
                              size_t count) {
  FAKE_CU_ENTER_INITIALIZED("cuMemSetAccess");
  if (desc == nullptr || count == 0) return CUDA_ERROR_INVALID_VALUE;
  for (size_t i = 0; i < count; ++i) {
    if (desc[i].location.type != CU_MEM_LOCATION_TYPE_DEVICE ||
        DeviceAt(desc[i].location.id) == nullptr) {
      return CUDA_ERROR_INVALID_DEVICE;
    }
    if (desc[i].flags == CU_MEM_ACCESS_FLAGS_PROT_READWRITE) {
      if (const CUresult error = ToCuda(Vm().SetReadWrite(pointer, size))) return error;
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
