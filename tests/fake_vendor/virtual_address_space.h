// The bookkeeping of a fake vendor library's virtual memory API, the same for
// every vendor (cuMem* and hipMem* differ only in names and error codes):
// address reservations, physical allocations charged to a device's memory,
// mappings of physical memory into reservations (registered for bounds
// checks), access, unmapping and release. Physical memory released while
// mapped lives until its last mapping goes, as on the real drivers.
// The status codes map to the vendor's errors: InvalidArgument (a bad
// argument or handle), ResourceExhausted (out of memory). Thread-safe.
#ifndef HAL_TESTS_FAKE_VENDOR_VIRTUAL_ADDRESS_SPACE_H_
#define HAL_TESTS_FAKE_VENDOR_VIRTUAL_ADDRESS_SPACE_H_

#include <cstdint>
#include <map>
#include <mutex>

#include "absl/status/statusor.h"
#include "tests/fake_vendor/allocation_registry.h"
#include "tests/fake_vendor/device_memory.h"
#include "tests/fake_vendor/virtual_memory.h"

namespace hal::fake {

class VirtualAddressSpace {
 public:
  // Sizes, offsets and mapped addresses must be multiples of `granularity`.
  VirtualAddressSpace(uint64_t granularity, AllocationRegistry* registry)
      : granularity_(granularity), registry_(registry) {}
  ~VirtualAddressSpace();
  VirtualAddressSpace(const VirtualAddressSpace&) = delete;
  VirtualAddressSpace& operator=(const VirtualAddressSpace&) = delete;

  uint64_t granularity() const { return granularity_; }

  absl::StatusOr<uintptr_t> Reserve(uint64_t size, uint64_t alignment);
  // Refused while anything is mapped in it.
  absl::Status Free(uintptr_t base, uint64_t size);
  // Physical memory of `device`, charged to `memory`; returns its handle.
  absl::StatusOr<uint64_t> Create(int device, DeviceMemory* memory, uint64_t size);
  absl::Status Release(uint64_t handle);
  absl::Status Map(uintptr_t address, uint64_t size, uint64_t offset, uint64_t handle);
  // The device whose physical memory is mapped at `address` exactly with
  // `size` bytes (the caller drains it before Unmap), or InvalidArgument.
  absl::StatusOr<int> MappedDevice(uintptr_t address, uint64_t size) const;
  absl::Status Unmap(uintptr_t address, uint64_t size);
  // Read-write access to [address, address + size), covered end to end by
  // mappings.
  absl::Status SetReadWrite(uintptr_t address, uint64_t size);

 private:
  struct Physical {
    int device = -1;
    DeviceMemory* memory = nullptr;
    PhysicalMemory storage;
    int mappings = 0;
    bool released = false;
  };
  struct Mapping {
    uint64_t size = 0;
    uint64_t handle = 0;
  };
  bool Granular(uint64_t value) const { return value % granularity_ == 0; }
  bool ReservedLocked(uintptr_t pointer, uint64_t size) const;
  void FreeIfUnusedLocked(std::map<uint64_t, Physical>::iterator it);

  const uint64_t granularity_;
  AllocationRegistry* const registry_;
  mutable std::mutex mutex_;
  std::map<uintptr_t, uint64_t> reservations_;  // base -> size
  std::map<uint64_t, Physical> physical_;       // handle -> memory
  std::map<uintptr_t, Mapping> mappings_;       // base -> what is mapped there
  uint64_t next_handle_ = 1;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_VIRTUAL_ADDRESS_SPACE_H_
