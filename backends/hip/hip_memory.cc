// Memory through libamdhip64: hipMalloc under the core's caching allocator,
// pinned staging (hipHostMalloc, mapped), registered host memory
// (hipHostRegister), and virtual memory (hipMemAddressReserve, hipMemCreate,
// hipMemMap) for decommittable buffers. HIP's device pointers are void*.
#include "backends/gpu_core/native_handles.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {
namespace {

using gpu::Narrow;
using gpu::Widen;

void* Pointer(uint64_t address) { return Narrow<void*>(address); }

hipMemGenericAllocationHandle_t Physical(uint64_t physical) {
  return Narrow<hipMemGenericAllocationHandle_t>(physical);
}

}  // namespace

hipMemAllocationProp PhysicalProperties(int device) {
  hipMemAllocationProp prop{};
  prop.type = hipMemAllocationTypePinned;
  prop.location.type = hipMemLocationTypeDevice;
  prop.location.id = device;
  return prop;
}

hal_result HipVendor::MemAlloc(Context& context, uint64_t size, uint64_t* out_address) {
  void* address = nullptr;
  const hal_result result = HAL_HIP_IN(context, hipMalloc, &address, size);
  *out_address = Widen(address);
  return result;
}

void HipVendor::MemFree(Context& /*context*/, uint64_t address) {
  Released(Api().hipFree(Pointer(address)));
}

// Mapped, so the device reaches it at the address hipHostGetDevicePointer
// gives.
hal_result HipVendor::HostAlloc(Context& context, uint64_t size, void** out_host) {
  return HAL_HIP_IN(context, hipHostMalloc, out_host, size, hipHostMallocMapped);
}

void HipVendor::HostFree(Context& /*context*/, void* host) { Released(Api().hipHostFree(host)); }

hal_result HipVendor::HostDevicePointer(Context& context, void* host, uint64_t* out_address) {
  void* address = nullptr;
  const hal_result result = HAL_HIP_IN(context, hipHostGetDevicePointer, &address, host, 0);
  *out_address = Widen(address);
  return result;
}

hal_result HipVendor::HostRegister(Context& context, void* host, uint64_t size, bool mapped) {
  const unsigned int flags = hipHostRegisterPortable | (mapped ? hipHostRegisterMapped : 0);
  return HAL_HIP_IN(context, hipHostRegister, host, size, flags);
}

void HipVendor::HostUnregister(Context& /*context*/, void* host) {
  Released(Api().hipHostUnregister(host));
}

hal_result HipVendor::AddressReserve(Context& context, uint64_t size, uint64_t* out_address) {
  void* address = nullptr;
  const hal_result result =
      HAL_HIP_IN(context, hipMemAddressReserve, &address, size, 0, nullptr, 0);
  *out_address = Widen(address);
  return result;
}

void HipVendor::AddressFree(Context& /*context*/, uint64_t address, uint64_t size) {
  Released(Api().hipMemAddressFree(Pointer(address), size));
}

hal_result HipVendor::PhysicalCreate(Context& context, uint64_t size, uint64_t* out_physical) {
  const hipMemAllocationProp prop = PhysicalProperties(DeviceOf(context).device);
  hipMemGenericAllocationHandle_t physical = nullptr;
  const hal_result result = HAL_HIP_IN(context, hipMemCreate, &physical, size, &prop, 0);
  *out_physical = Widen(physical);
  return result;
}

void HipVendor::PhysicalRelease(Context& /*context*/, uint64_t physical) {
  Released(Api().hipMemRelease(Physical(physical)));
}

hal_result HipVendor::Map(Context& context, uint64_t address, uint64_t size, uint64_t physical) {
  if (const hal_result r =
          HAL_HIP_IN(context, hipMemMap, Pointer(address), size, 0, Physical(physical), 0)) {
    return r;
  }
  hipMemAccessDesc access{};
  access.location = PhysicalProperties(DeviceOf(context).device).location;
  access.flags = hipMemAccessFlagsProtReadWrite;
  const hal_result result =
      HAL_HIP_IN(context, hipMemSetAccess, Pointer(address), size, &access, 1);
  if (result != HAL_SUCCESS) Released(Api().hipMemUnmap(Pointer(address), size));
  return result;
}

void HipVendor::Unmap(Context& /*context*/, uint64_t address, uint64_t size) {
  Released(Api().hipMemUnmap(Pointer(address), size));
}

}  // namespace hal::hip
