// Virtual memory of a fake device, built from the host's own: a reservation
// is a PROT_NONE mapping, physical memory is a memfd, mapping places the memfd
// at a reserved address (MAP_FIXED) and unmapping puts PROT_NONE back, so the
// address stays reserved and the contents live on in the memfd until it is
// released. Exactly the stable-address eviction a real device offers.
#ifndef HAL_TESTS_FAKE_VENDOR_VIRTUAL_MEMORY_H_
#define HAL_TESTS_FAKE_VENDOR_VIRTUAL_MEMORY_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace hal::fake {

// A PROT_NONE range of `size` bytes aligned to `alignment` (a power of two).
absl::StatusOr<uintptr_t> ReserveAddressRange(uint64_t size, uint64_t alignment);
absl::Status ReleaseAddressRange(uintptr_t address, uint64_t size);

// Physical memory: a memfd of `size` bytes. Owns the descriptor.
class PhysicalMemory {
 public:
  static absl::StatusOr<PhysicalMemory> Create(uint64_t size);
  PhysicalMemory(PhysicalMemory&& other) noexcept;
  PhysicalMemory& operator=(PhysicalMemory&& other) noexcept;
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;
  ~PhysicalMemory();

  uint64_t size() const { return size_; }
  // Maps [offset, offset + size) of this memory at `address` (inside a
  // reservation), inaccessible until SetReadWrite.
  absl::Status MapAt(uintptr_t address, uint64_t size, uint64_t offset) const;

 private:
  PhysicalMemory(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Puts [address, address + size) back to a PROT_NONE reservation.
absl::Status UnmapToReservation(uintptr_t address, uint64_t size);
absl::Status SetReadWrite(uintptr_t address, uint64_t size);

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_VIRTUAL_MEMORY_H_
