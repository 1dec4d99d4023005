// Every range of "device" memory a fake vendor library hands out (device
// allocations, host allocations the device can reach, mapped virtual memory),
// keyed by address, so that a kernel argument or a copy can be checked to lie
// inside one live allocation. Device addresses of the fakes are host
// addresses, so one registry serves every device. Thread-safe.
#ifndef HAL_TESTS_FAKE_VENDOR_ALLOCATION_REGISTRY_H_
#define HAL_TESTS_FAKE_VENDOR_ALLOCATION_REGISTRY_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace hal::fake {

// kHost: host memory the library allocated; kRegisteredHost: the caller's
// memory made reachable by the device.
enum class MemoryKind { kDevice, kHost, kRegisteredHost, kVirtual };

struct AllocationRange {
  uintptr_t base = 0;
  uint64_t size = 0;
  MemoryKind kind = MemoryKind::kDevice;
  int device = -1;  // -1 for host memory
};

class AllocationRegistry {
 public:
  // False if the range overlaps one already registered.
  bool Insert(const AllocationRange& range);
  // The range that starts exactly at `base`, removed; nullopt if none.
  std::optional<AllocationRange> Erase(uintptr_t base);
  // The live range containing `address`.
  std::optional<AllocationRange> Find(uintptr_t address) const;
  // The live range containing all of [address, address + size); size 0 is
  // treated as 1 (the address itself must be inside).
  std::optional<AllocationRange> FindSpan(uintptr_t address, uint64_t size) const;
  // Empties the registry, returning what it held.
  std::vector<AllocationRange> EraseAll();

 private:
  std::optional<AllocationRange> FindLocked(uintptr_t address) const;

  mutable std::mutex mutex_;
  std::map<uintptr_t, AllocationRange> ranges_;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_ALLOCATION_REGISTRY_H_
