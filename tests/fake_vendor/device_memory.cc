#include "tests/fake_vendor/device_memory.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace hal::fake {

DeviceMemory::DeviceMemory(int device, uint64_t capacity, uint64_t rounding,
                           AllocationRegistry* registry)
    : device_(device), capacity_(capacity), rounding_(rounding), registry_(registry) {}

DeviceMemory::~DeviceMemory() = default;

absl::Status DeviceMemory::Charge(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > capacity_ - in_use_) {
    return absl::ResourceExhaustedError(absl::StrCat("fake device ", device_, ": ", bytes,
                                                     " bytes requested, ", capacity_ - in_use_,
                                                     " of ", capacity_, " free"));
  }
  in_use_ += bytes;
  return absl::OkStatus();
}

void DeviceMemory::Uncharge(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  in_use_ -= bytes;
}

uint64_t DeviceMemory::bytes_in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

absl::StatusOr<void*> DeviceMemory::Allocate(uint64_t size) {
  if (size == 0) return absl::InvalidArgumentError("an allocation of 0 bytes");
  if (size > capacity_) {
    return absl::ResourceExhaustedError(absl::StrCat("fake device ", device_, ": ", size,
                                                     " bytes requested, capacity ", capacity_));
  }
  const uint64_t rounded = (size + rounding_ - 1) / rounding_ * rounding_;
  if (absl::Status charged = Charge(rounded); !charged.ok()) return charged;
  void* memory = std::aligned_alloc(rounding_, rounded);
  if (memory == nullptr) {
    Uncharge(rounded);
    return absl::ResourceExhaustedError(
        absl::StrCat("the host has no ", rounded, " bytes for fake device memory"));
  }
  registry_->Insert({reinterpret_cast<uintptr_t>(memory), rounded, MemoryKind::kDevice, device_});
  return memory;
}

absl::Status DeviceMemory::Free(void* pointer) {
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  const std::optional<AllocationRange> range = registry_->Erase(address);
  const bool mine =
      range && range->kind == MemoryKind::kDevice && range->device == device_;
  if (!mine) {
    if (range) registry_->Insert(*range);
    return absl::NotFoundError(
        absl::StrCat("0x", absl::Hex(address), " is no live allocation of fake device ", device_));
  }
  std::free(pointer);
  Uncharge(range->size);
  return absl::OkStatus();
}

}  // namespace hal::fake
