// Virtual memory on the vendor-neutral VirtualAddressSpace: reserve an
// address range, create physical memory (counted against the device's
// capacity), map it, give access, unmap, release.
#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

// The device a property describes, if it is a device location with VMM.
Device* VmmDevice(const hipMemAllocationProp* prop) {
  if (prop == nullptr || prop->type != hipMemAllocationTypePinned ||
      prop->location.type != hipMemLocationTypeDevice) {
    return nullptr;
  }
  Device* device = DeviceAt(prop->location.id);
  return device != nullptr && device->vmm ? device : nullptr;
}

hipError_t ToHip(const absl::Status& status) {
  if (status.ok()) return hipSuccess;
  return status.code() == absl::StatusCode::kResourceExhausted ? hipErrorOutOfMemory
                                                               : hipErrorInvalidValue;
}

VirtualAddressSpace& Vm() { return *Fake().vm; }

}  // namespace
}  // namespace hal::fake::hip

using hal::fake::hip::ToHip;
using hal::fake::hip::Vm;

FAKE_HIP_EXPORT hipError_t hipMemGetAllocationGranularity(size_t* granularity,
                                                          const hipMemAllocationProp* prop,
                                                          hipMemAllocationGranularity_flags option) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemGetAllocationGranularity");
  (void)option;
  if (granularity == nullptr) return hipErrorInvalidValue;
  // What ROCm answers for a device without virtual memory.
  if (hal::fake::hip::VmmDevice(prop) == nullptr) return hipErrorNotSupported;
  *granularity = Vm().granularity();
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipMemAddressReserve(void** ptr, size_t size, size_t alignment,
                                                void* addr, unsigned long long flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemAddressReserve");
  (void)addr;  // a hint only, as for the real runtime
  if (ptr == nullptr || flags != 0) return hipErrorInvalidValue;
  absl::StatusOr<uintptr_t> base = Vm().Reserve(size, alignment);
  if (!base.ok()) return ToHip(base.status());
  *ptr = reinterpret_cast<void*>(*base);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipMemAddressFree(void* devPtr, size_t size) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemAddressFree");
  return ToHip(Vm().Free(reinterpret_cast<uintptr_t>(devPtr), size));
}

FAKE_HIP_EXPORT hipError_t hipMemCreate(hipMemGenericAllocationHandle_t* handle, size_t size,
                                        const hipMemAllocationProp* prop,
                                        unsigned long long flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemCreate");
  hal::fake::hip::Device* device = hal::fake::hip::VmmDevice(prop);
  if (handle == nullptr || device == nullptr || flags != 0) return hipErrorInvalidValue;
  absl::StatusOr<uint64_t> created = Vm().Create(device->ordinal, device->memory.get(), size);
  if (!created.ok()) return ToHip(created.status());
  *handle = reinterpret_cast<hipMemGenericAllocationHandle_t>(*created);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipMemRelease(hipMemGenericAllocationHandle_t handle) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemRelease");
  return ToHip(Vm().Release(reinterpret_cast<uint64_t>(handle)));
}

FAKE_HIP_EXPORT hipError_t hipMemMap(void* ptr, size_t size, size_t offset,
                                     hipMemGenericAllocationHandle_t handle,
                                     unsigned long long flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemMap");
  if (flags != 0) return hipErrorInvalidValue;
  return ToHip(Vm().Map(reinterpret_cast<uintptr_t>(ptr), size, offset,
                        reinterpret_cast<uint64_t>(handle)));
}

FAKE_HIP_EXPORT hipError_t hipMemUnmap(void* ptr, size_t size) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemUnmap");
  const auto address = reinterpret_cast<uintptr_t>(ptr);
  absl::StatusOr<int> device = Vm().MappedDevice(address, size);
  if (!device.ok()) return ToHip(device.status());
  // The device stops using the range before it goes (hipMemUnmap synchronizes).
  hal::fake::hip::DrainDevice(*device);
  return ToHip(Vm().Unmap(address, size));
}

FAKE_HIP_EXPORT hipError_t hipMemSetAccess(void* ptr, size_t size, const hipMemAccessDesc* desc,
                                           size_t count) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemSetAccess");
  if (desc == nullptr || count == 0) return hipErrorInvalidValue;
  for (size_t i = 0; i < count; ++i) {
    if (desc[i].location.type != hipMemLocationTypeDevice ||
        hal::fake::hip::DeviceAt(desc[i].location.id) == nullptr) {
      return hipErrorInvalidDevice;
    }
    if (desc[i].flags == hipMemAccessFlagsProtReadWrite) {
      if (const hipError_t error = ToHip(Vm().SetReadWrite(reinterpret_cast<uintptr_t>(ptr), size))) {
        return error;
      }
    }
  }
  return hipSuccess;
}
