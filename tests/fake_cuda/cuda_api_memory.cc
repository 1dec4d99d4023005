// Device memory, host staging memory and host registration.
#include <cstdlib>

#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

constexpr uint64_t kHostAlignment = 4096;

CUresult CUDAAPI MemGetInfo(size_t* free, size_t* total) {
  FAKE_CU_ENTER_INITIALIZED("cuMemGetInfo");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (free == nullptr || total == nullptr) return CUDA_ERROR_INVALID_VALUE;
  const DeviceMemory& memory = *context->device->memory;
  *total = memory.capacity();
  *free = memory.capacity() - memory.bytes_in_use();
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemAlloc(CUdeviceptr* pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAlloc");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (pointer == nullptr || size == 0) return CUDA_ERROR_INVALID_VALUE;
  absl::StatusOr<void*> memory = context->device->memory->Allocate(size);
  if (!memory.ok()) return CUDA_ERROR_OUT_OF_MEMORY;
  *pointer = reinterpret_cast<CUdeviceptr>(*memory);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemFree(CUdeviceptr pointer) {
  FAKE_CU_ENTER_INITIALIZED("cuMemFree");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (pointer == 0) return CUDA_SUCCESS;
  const std::optional<AllocationRange> range = Fake().registry.Find(pointer);
  if (!range || range->base != pointer || range->kind != MemoryKind::kDevice) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  // As the real cuMemFree: work already given to the device finishes first.
  Device* device = DeviceAt(range->device);
  DrainDevice(device);
  return device->memory->Free(reinterpret_cast<void*>(pointer)).ok() ? CUDA_SUCCESS
                                                                      : CUDA_ERROR_INVALID_VALUE;
}

CUresult CUDAAPI MemAllocHost(void** pointer, size_t size) {
  FAKE_CU_ENTER_INITIALIZED("cuMemAllocHost");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (pointer == nullptr || size == 0) return CUDA_ERROR_INVALID_VALUE;
  const uint64_t rounded = (size + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  void* memory = std::aligned_alloc(kHostAlignment, rounded);
  if (memory == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
  Fake().registry.Insert({reinterpret_cast<uintptr_t>(memory), rounded, MemoryKind::kHost, -1});
  *pointer = memory;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemFreeHost(void* pointer) {
  FAKE_CU_ENTER_INITIALIZED("cuMemFreeHost");
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  const std::optional<AllocationRange> range = Fake().registry.Find(address);
  if (!range || range->base != address || range->kind != MemoryKind::kHost) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  Fake().registry.Erase(address);
  std::free(pointer);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemHostRegister(void* pointer, size_t size, unsigned int flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemHostRegister");
  (void)flags;
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (pointer == nullptr || size == 0) return CUDA_ERROR_INVALID_VALUE;
  const bool inserted = Fake().registry.Insert(
      {reinterpret_cast<uintptr_t>(pointer), size, MemoryKind::kRegisteredHost, -1});
  return inserted ? CUDA_SUCCESS : CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED;
}

CUresult CUDAAPI MemHostUnregister(void* pointer) {
  FAKE_CU_ENTER_INITIALIZED("cuMemHostUnregister");
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  const std::optional<AllocationRange> range = Fake().registry.Find(address);
  if (!range || range->base != address || range->kind != MemoryKind::kRegisteredHost) {
    return CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED;
  }
  Fake().registry.Erase(address);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemHostGetDevicePointer(CUdeviceptr* device_pointer, void* pointer,
                                         unsigned int flags) {
  FAKE_CU_ENTER_INITIALIZED("cuMemHostGetDevicePointer");
  if (device_pointer == nullptr || flags != 0) return CUDA_ERROR_INVALID_VALUE;
  const std::optional<AllocationRange> range =
      Fake().registry.Find(reinterpret_cast<uintptr_t>(pointer));
  if (!range || (range->kind != MemoryKind::kHost && range->kind != MemoryKind::kRegisteredHost)) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  *device_pointer = reinterpret_cast<CUdeviceptr>(pointer);  // unified addressing
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> MemoryEntryPoints() {
  return {
      LegacyEntry<&MemGetInfo>("cuMemGetInfo"),
      {"cuMemGetInfo", 3020, AsEntry(&MemGetInfo)},
      LegacyEntry<&MemAlloc>("cuMemAlloc"),
      {"cuMemAlloc", 3020, AsEntry(&MemAlloc)},
      LegacyEntry<&MemFree>("cuMemFree"),
      {"cuMemFree", 3020, AsEntry(&MemFree)},
      LegacyEntry<&MemAllocHost>("cuMemAllocHost"),
      {"cuMemAllocHost", 3020, AsEntry(&MemAllocHost)},
      {"cuMemFreeHost", 2000, AsEntry(&MemFreeHost)},
      LegacyEntry<&MemHostRegister>("cuMemHostRegister"),
      {"cuMemHostRegister", 6050, AsEntry(&MemHostRegister)},
      {"cuMemHostUnregister", 4000, AsEntry(&MemHostUnregister)},
      LegacyEntry<&MemHostGetDevicePointer>("cuMemHostGetDevicePointer"),
      {"cuMemHostGetDevicePointer", 3020, AsEntry(&MemHostGetDevicePointer)},
  };
}

}  // namespace hal::fake::cuda
