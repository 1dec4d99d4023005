#include "tests/fake_vendor/virtual_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hal::fake {
namespace {

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

constexpr int kReservationFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

}  // namespace

absl::StatusOr<uintptr_t> ReserveAddressRange(uint64_t size, uint64_t alignment) {
  // Over-reserve by the alignment and give back the ends around an aligned
  // middle.
  const uint64_t padded = size + alignment;
  void* raw = mmap(nullptr, padded, PROT_NONE, kReservationFlags, -1, 0);
  if (raw == MAP_FAILED) return ErrnoError(absl::StrCat("reserving ", size, " bytes"));
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + alignment - 1) & ~(alignment - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + size;
  if (start + padded > end) munmap(reinterpret_cast<void*>(end), start + padded - end);
  return aligned;
}

absl::Status ReleaseAddressRange(uintptr_t address, uint64_t size) {
  if (munmap(reinterpret_cast<void*>(address), size) != 0) {
    return ErrnoError("releasing a reserved range");
  }
  return absl::OkStatus();
}

absl::StatusOr<PhysicalMemory> PhysicalMemory::Create(uint64_t size) {
  const int fd = memfd_create("hal-fake-physical", MFD_CLOEXEC);
  if (fd < 0) return ErrnoError("memfd_create");
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    const absl::Status error = ErrnoError(absl::StrCat("sizing physical memory to ", size));
    close(fd);
    return error;
  }
  return PhysicalMemory(fd, size);
}

PhysicalMemory::PhysicalMemory(PhysicalMemory&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

PhysicalMemory& PhysicalMemory::operator=(PhysicalMemory&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

PhysicalMemory::~PhysicalMemory() {
  if (fd_ >= 0) close(fd_);
}

absl::Status PhysicalMemory::MapAt(uintptr_t address, uint64_t size, uint64_t offset) const {
  void* mapped = mmap(reinterpret_cast<void*>(address), size, PROT_NONE, MAP_SHARED | MAP_FIXED,
                      fd_, static_cast<off_t>(offset));
  if (mapped == MAP_FAILED) return ErrnoError("mapping physical memory");
  return absl::OkStatus();
}

absl::Status UnmapToReservation(uintptr_t address, uint64_t size) {
  void* mapped = mmap(reinterpret_cast<void*>(address), size, PROT_NONE,
                      kReservationFlags | MAP_FIXED, -1, 0);
  if (mapped == MAP_FAILED) return ErrnoError("unmapping physical memory");
  return absl::OkStatus();
}

absl::Status SetReadWrite(uintptr_t address, uint64_t size) {
  if (mprotect(reinterpret_cast<void*>(address), size, PROT_READ | PROT_WRITE) != 0) {
    return ErrnoError("making mapped memory accessible");
  }
  return absl::OkStatus();
}

}  // namespace hal::fake
