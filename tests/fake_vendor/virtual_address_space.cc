#include "tests/fake_vendor/virtual_address_space.h"

#include <algorithm>

namespace hal::fake {
namespace {

absl::Status Invalid(const char* what) { return absl::InvalidArgumentError(what); }

}  // namespace

VirtualAddressSpace::~VirtualAddressSpace() {
  for (const auto& [base, mapping] : mappings_) {
    (void)UnmapToReservation(base, mapping.size);
    registry_->Erase(base);
  }
  for (const auto& [base, size] : reservations_) (void)ReleaseAddressRange(base, size);
  for (auto& [handle, physical] : physical_) physical.memory->Uncharge(physical.storage.size());
}

absl::StatusOr<uintptr_t> VirtualAddressSpace::Reserve(uint64_t size, uint64_t alignment) {
  if (size == 0 || !Granular(size) || (alignment & (alignment - 1)) != 0) {
    return Invalid("reservation size or alignment");
  }
  absl::StatusOr<uintptr_t> base = ReserveAddressRange(size, std::max(alignment, granularity_));
  if (!base.ok()) return absl::ResourceExhaustedError(base.status().message());
  std::lock_guard lock(mutex_);
  reservations_.emplace(*base, size);
  return *base;
}

absl::Status VirtualAddressSpace::Free(uintptr_t base, uint64_t size) {
  std::lock_guard lock(mutex_);
  const auto it = reservations_.find(base);
  if (it == reservations_.end() || it->second != size) return Invalid("no such reservation");
  const auto mapped = mappings_.lower_bound(base);
  if (mapped != mappings_.end() && mapped->first < base + size) return Invalid("still mapped");
  (void)ReleaseAddressRange(base, size);
  reservations_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> VirtualAddressSpace::Create(int device, DeviceMemory* memory,
                                                     uint64_t size) {
  if (size == 0 || !Granular(size)) return Invalid("physical size");
  if (absl::Status charged = memory->Charge(size); !charged.ok()) return charged;
  absl::StatusOr<PhysicalMemory> storage = PhysicalMemory::Create(size);
  if (!storage.ok()) {
    memory->Uncharge(size);
    return absl::ResourceExhaustedError(storage.status().message());
  }
  std::lock_guard lock(mutex_);
  const uint64_t handle = next_handle_++;
  physical_.emplace(handle, Physical{device, memory, *std::move(storage), 0, false});
  return handle;
}

void VirtualAddressSpace::FreeIfUnusedLocked(std::map<uint64_t, Physical>::iterator it) {
  if (!it->second.released || it->second.mappings > 0) return;
  it->second.memory->Uncharge(it->second.storage.size());
  physical_.erase(it);
}

absl::Status VirtualAddressSpace::Release(uint64_t handle) {
  std::lock_guard lock(mutex_);
  const auto it = physical_.find(handle);
  if (it == physical_.end() || it->second.released) return Invalid("no such physical memory");
  it->second.released = true;
  FreeIfUnusedLocked(it);
  return absl::OkStatus();
}

bool VirtualAddressSpace::ReservedLocked(uintptr_t pointer, uint64_t size) const {
  auto it = reservations_.upper_bound(pointer);
  if (it == reservations_.begin()) return false;
  --it;
  return pointer >= it->first && pointer - it->first <= it->second &&
         size <= it->second - (pointer - it->first);
}

absl::Status VirtualAddressSpace::Map(uintptr_t address, uint64_t size, uint64_t offset,
                                      uint64_t handle) {
  std::lock_guard lock(mutex_);
  const auto physical = physical_.find(handle);
  if (physical == physical_.end() || physical->second.released || size == 0 ||
      !Granular(address) || !Granular(size) || !Granular(offset) ||
      offset > physical->second.storage.size() ||
      size > physical->second.storage.size() - offset || !ReservedLocked(address, size)) {
    return Invalid("mapping outside a reservation or its physical memory");
  }
  if (!registry_->Insert({address, size, MemoryKind::kVirtual, physical->second.device})) {
    return Invalid("overlaps a mapping");
  }
  if (absl::Status mapped = physical->second.storage.MapAt(address, size, offset); !mapped.ok()) {
    registry_->Erase(address);
    return absl::ResourceExhaustedError(mapped.message());
  }
  ++physical->second.mappings;
  mappings_.emplace(address, Mapping{size, handle});
  return absl::OkStatus();
}

absl::StatusOr<int> VirtualAddressSpace::MappedDevice(uintptr_t address, uint64_t size) const {
  std::lock_guard lock(mutex_);
  const auto it = mappings_.find(address);
  if (it == mappings_.end() || it->second.size != size) return Invalid("no such mapping");
  return physical_.at(it->second.handle).device;
}

absl::Status VirtualAddressSpace::Unmap(uintptr_t address, uint64_t size) {
  std::lock_guard lock(mutex_);
  const auto it = mappings_.find(address);
  if (it == mappings_.end() || it->second.size != size) return Invalid("no such mapping");
  (void)UnmapToReservation(address, size);
  registry_->Erase(address);
  const auto physical = physical_.find(it->second.handle);
  --physical->second.mappings;
  mappings_.erase(it);
  FreeIfUnusedLocked(physical);
  return absl::OkStatus();
}

absl::Status VirtualAddressSpace::SetReadWrite(uintptr_t address, uint64_t size) {
  std::lock_guard lock(mutex_);
  for (uintptr_t at = address; at < address + size;) {
    const auto it = mappings_.find(at);
    if (it == mappings_.end()) return Invalid("not mapped end to end");
    at += it->second.size;
  }
  if (!::hal::fake::SetReadWrite(address, size).ok()) return Invalid("mprotect failed");
  return absl::OkStatus();
}

}  // namespace hal::fake
