// Device and host memory, copies and fills (the copies and fills run on the
// stream's worker, checked against the live allocations first).
#include <cstdlib>
#include <cstring>

#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

constexpr uint64_t kHostAlignment = 4096;

// A device address range the fake handed out (device, host or mapped).
bool LiveRange(const void* pointer, uint64_t size) {
  return Fake().registry.FindSpan(reinterpret_cast<uintptr_t>(pointer), size).has_value();
}

// Runs `operation` on `stream` after the common checks.
hipError_t Enqueue(hipStream_t stream, std::function<void()> operation) {
  std::shared_ptr<ihipStream_t> resolved = ResolveStream(stream);
  if (!resolved) return hipErrorInvalidHandle;
  if (const hipError_t error = DeviceError(resolved->device)) return error;
  resolved->worker.Enqueue(std::move(operation));
  return hipSuccess;
}

hipError_t Copy(void* dst, const void* src, size_t size, hipStream_t stream, bool dst_device,
                bool src_device) {
  if ((dst_device && !LiveRange(dst, size)) || (src_device && !LiveRange(src, size))) {
    Fake().ledger.RecordViolation("a copy outside the live device allocations");
    return hipErrorInvalidValue;
  }
  if (size == 0) return hipSuccess;
  return Enqueue(stream, [dst, src, size] { std::memcpy(dst, src, size); });
}

}  // namespace
}  // namespace hal::fake::hip

using hal::fake::hip::Fake;

FAKE_HIP_EXPORT hipError_t hipMemGetInfo(size_t* free, size_t* total) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemGetInfo");
  const hal::fake::hip::Device* device =
      hal::fake::hip::DeviceAt(hal::fake::hip::CurrentDevice());
  if (device == nullptr) return hipErrorInvalidDevice;
  if (free == nullptr || total == nullptr) return hipErrorInvalidValue;
  *total = device->memory->capacity();
  *free = *total - device->memory->bytes_in_use();
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipMalloc(void** ptr, size_t size) {
  FAKE_HIP_ENTER_INITIALIZED("hipMalloc");
  if (ptr == nullptr) return hipErrorInvalidValue;
  const int current = hal::fake::hip::CurrentDevice();
  hal::fake::hip::Device* device = hal::fake::hip::DeviceAt(current);
  if (device == nullptr) return hipErrorInvalidDevice;
  if (const hipError_t error = hal::fake::hip::DeviceError(current)) return error;
  if (size == 0) {  // the real runtime answers success and NULL
    *ptr = nullptr;
    return hipSuccess;
  }
  absl::StatusOr<void*> allocated = device->memory->Allocate(size);
  if (!allocated.ok()) return hipErrorOutOfMemory;
  *ptr = *allocated;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipFree(void* ptr) {
  FAKE_HIP_ENTER_INITIALIZED("hipFree");
  if (ptr == nullptr) return hipSuccess;
  const std::optional<hal::fake::AllocationRange> range =
      Fake().registry.Find(reinterpret_cast<uintptr_t>(ptr));
  if (!range || range->base != reinterpret_cast<uintptr_t>(ptr) ||
      range->kind != hal::fake::MemoryKind::kDevice) {
    return hipErrorInvalidValue;
  }
  hal::fake::hip::DrainDevice(range->device);  // hipFree synchronizes with the device
  hal::fake::hip::Device* device = hal::fake::hip::DeviceAt(range->device);
  if (device == nullptr || !device->memory->Free(ptr).ok()) return hipErrorInvalidValue;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipHostMalloc(void** ptr, size_t size, unsigned int flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipHostMalloc");
  (void)flags;
  if (ptr == nullptr || size == 0) return hipErrorInvalidValue;
  const uint64_t rounded = (size + hal::fake::hip::kHostAlignment - 1) /
                           hal::fake::hip::kHostAlignment * hal::fake::hip::kHostAlignment;
  void* memory = std::aligned_alloc(hal::fake::hip::kHostAlignment, rounded);
  if (memory == nullptr) return hipErrorOutOfMemory;
  Fake().registry.Insert(
      {reinterpret_cast<uintptr_t>(memory), rounded, hal::fake::MemoryKind::kHost, -1});
  *ptr = memory;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipHostFree(void* ptr) {
  FAKE_HIP_ENTER_INITIALIZED("hipHostFree");
  if (ptr == nullptr) return hipSuccess;
  const std::optional<hal::fake::AllocationRange> range =
      Fake().registry.Find(reinterpret_cast<uintptr_t>(ptr));
  if (!range || range->base != reinterpret_cast<uintptr_t>(ptr) ||
      range->kind != hal::fake::MemoryKind::kHost) {
    return hipErrorInvalidValue;
  }
  Fake().registry.Erase(range->base);
  std::free(ptr);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipHostRegister(void* hostPtr, size_t sizeBytes, unsigned int flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipHostRegister");
  (void)flags;
  if (hostPtr == nullptr || sizeBytes == 0) return hipErrorInvalidValue;
  if (!Fake().registry.Insert({reinterpret_cast<uintptr_t>(hostPtr), sizeBytes,
                               hal::fake::MemoryKind::kRegisteredHost, -1})) {
    return hipErrorHostMemoryAlreadyRegistered;
  }
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipHostUnregister(void* hostPtr) {
  FAKE_HIP_ENTER_INITIALIZED("hipHostUnregister");
  const std::optional<hal::fake::AllocationRange> range =
      Fake().registry.Find(reinterpret_cast<uintptr_t>(hostPtr));
  if (!range || range->base != reinterpret_cast<uintptr_t>(hostPtr) ||
      range->kind != hal::fake::MemoryKind::kRegisteredHost) {
    return hipErrorHostMemoryNotRegistered;
  }
  Fake().registry.Erase(range->base);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipHostGetDevicePointer(void** devPtr, void* hstPtr,
                                                   unsigned int flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipHostGetDevicePointer");
  if (devPtr == nullptr || flags != 0) return hipErrorInvalidValue;
  const std::optional<hal::fake::AllocationRange> range =
      Fake().registry.Find(reinterpret_cast<uintptr_t>(hstPtr));
  if (!range || (range->kind != hal::fake::MemoryKind::kHost &&
                 range->kind != hal::fake::MemoryKind::kRegisteredHost)) {
    return hipErrorInvalidValue;
  }
  *devPtr = hstPtr;  // the fake's device addresses are host addresses
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipMemcpyHtoDAsync(hipDeviceptr_t dst, void* src, size_t sizeBytes,
                                              hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemcpyHtoDAsync");
  return hal::fake::hip::Copy(dst, src, sizeBytes, stream, true, false);
}

FAKE_HIP_EXPORT hipError_t hipMemcpyDtoHAsync(void* dst, hipDeviceptr_t src, size_t sizeBytes,
                                              hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemcpyDtoHAsync");
  return hal::fake::hip::Copy(dst, src, sizeBytes, stream, false, true);
}

FAKE_HIP_EXPORT hipError_t hipMemcpyDtoDAsync(hipDeviceptr_t dst, hipDeviceptr_t src,
                                              size_t sizeBytes, hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemcpyDtoDAsync");
  return hal::fake::hip::Copy(dst, src, sizeBytes, stream, true, true);
}

FAKE_HIP_EXPORT hipError_t hipMemsetD32Async(hipDeviceptr_t dst, int value, size_t count,
                                             hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipMemsetD32Async");
  if (count > SIZE_MAX / 4 || !hal::fake::hip::LiveRange(dst, count * 4)) {
    Fake().ledger.RecordViolation("a fill outside the live device allocations");
    return hipErrorInvalidValue;
  }
  return hal::fake::hip::Enqueue(stream, [dst, value, count] {
    auto* words = static_cast<int*>(dst);
    for (size_t i = 0; i < count; ++i) words[i] = value;
  });
}
