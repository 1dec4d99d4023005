// Memory through libcuda: cuMemAlloc under the core's caching allocator,
// pinned staging (cuMemAllocHost), registered host memory
// (cuMemHostRegister), and virtual memory (cuMemAddressReserve, cuMemCreate,
// cuMemMap) for decommittable buffers.
#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"

namespace hal::cuda {
namespace {

CUmemAllocationProp PhysicalProperties(const CudaDevice& device) {
  CUmemAllocationProp prop{};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  prop.location.id = device.device;
  return prop;
}

}  // namespace

hal_result CudaVendor::MemAlloc(Context& context, uint64_t size, uint64_t* out_address) {
  CUdeviceptr address = 0;
  const hal_result result = HAL_CU(&context.health, cuMemAlloc, &address, size);
  *out_address = address;
  return result;
}

void CudaVendor::MemFree(Context& /*context*/, uint64_t address) { Api().cuMemFree(address); }

hal_result CudaVendor::HostAlloc(Context& context, uint64_t size, void** out_host) {
  return HAL_CU(&context.health, cuMemAllocHost, out_host, size);
}

void CudaVendor::HostFree(Context& /*context*/, void* host) { Api().cuMemFreeHost(host); }

hal_result CudaVendor::HostDevicePointer(Context& context, void* host, uint64_t* out_address) {
  CUdeviceptr address = 0;
  const hal_result result = HAL_CU(&context.health, cuMemHostGetDevicePointer, &address, host, 0);
  *out_address = address;
  return result;
}

hal_result CudaVendor::HostRegister(Context& context, void* host, uint64_t size, bool mapped) {
  const unsigned int flags =
      CU_MEMHOSTREGISTER_PORTABLE | (mapped ? CU_MEMHOSTREGISTER_DEVICEMAP : 0);
  return HAL_CU(&context.health, cuMemHostRegister, host, size, flags);
}

void CudaVendor::HostUnregister(Context& /*context*/, void* host) {
  Api().cuMemHostUnregister(host);
}

hal_result CudaVendor::AddressReserve(Context& context, uint64_t size, uint64_t* out_address) {
  CUdeviceptr address = 0;
  const hal_result result = HAL_CU(&context.health, cuMemAddressReserve, &address, size, 0, 0, 0);
  *out_address = address;
  return result;
}

void CudaVendor::AddressFree(Context& /*context*/, uint64_t address, uint64_t size) {
  Api().cuMemAddressFree(address, size);
}

hal_result CudaVendor::PhysicalCreate(Context& context, uint64_t size, uint64_t* out_physical) {
  const CUmemAllocationProp prop = PhysicalProperties(DeviceOf(context));
  CUmemGenericAllocationHandle physical = 0;
  const hal_result result = HAL_CU(&context.health, cuMemCreate, &physical, size, &prop, 0);
  *out_physical = physical;
  return result;
}

void CudaVendor::PhysicalRelease(Context& /*context*/, uint64_t physical) {
  Api().cuMemRelease(physical);
}

hal_result CudaVendor::Map(Context& context, uint64_t address, uint64_t size, uint64_t physical) {
  if (const hal_result r = HAL_CU(&context.health, cuMemMap, address, size, 0, physical, 0)) {
    return r;
  }
  CUmemAccessDesc access{};
  access.location = PhysicalProperties(DeviceOf(context)).location;
  access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
  const hal_result result = HAL_CU(&context.health, cuMemSetAccess, address, size, &access, 1);
  if (result != HAL_SUCCESS) Api().cuMemUnmap(address, size);
  return result;
}

void CudaVendor::Unmap(Context& /*context*/, uint64_t address, uint64_t size) {
  Api().cuMemUnmap(address, size);
}

}  // namespace hal::cuda
