// The memory of one fake device: host memory behind a capacity, so that a
// test can run a device out of memory. Allocations are rounded the way the
// vendor's driver rounds them and the rounded size is what counts.
// Thread-safe.
#ifndef HAL_TESTS_FAKE_VENDOR_DEVICE_MEMORY_H_
#define HAL_TESTS_FAKE_VENDOR_DEVICE_MEMORY_H_

#include <cstdint>
#include <mutex>

#include "absl/status/statusor.h"
#include "tests/fake_vendor/allocation_registry.h"

namespace hal::fake {

class DeviceMemory {
 public:
  // `rounding`: allocation granularity and alignment (a power of two).
  DeviceMemory(int device, uint64_t capacity, uint64_t rounding, AllocationRegistry* registry);
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  // ResourceExhausted beyond the capacity; InvalidArgument for size 0.
  absl::StatusOr<void*> Allocate(uint64_t size);
  // NotFound unless `pointer` is the base of a live allocation of this device.
  absl::Status Free(void* pointer);

  // Capacity held by something other than Allocate (physical memory of
  // virtual-memory mappings). Charge is ResourceExhausted beyond capacity.
  absl::Status Charge(uint64_t bytes);
  void Uncharge(uint64_t bytes);

  uint64_t capacity() const { return capacity_; }
  uint64_t bytes_in_use() const;

 private:
  const int device_;
  const uint64_t capacity_;
  const uint64_t rounding_;
  AllocationRegistry* const registry_;
  mutable std::mutex mutex_;
  uint64_t in_use_ = 0;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_DEVICE_MEMORY_H_
