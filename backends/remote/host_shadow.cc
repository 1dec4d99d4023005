#include "backends/remote/host_shadow.h"

#include <sys/mman.h>
#include <unistd.h>

#include <limits>
#include <utility>

namespace hal::remote {

std::unique_ptr<HostShadow> HostShadow::Allocate(uint64_t size, bool shareable,
                                                 const char* memfd_name) {
  // Whole pages: what hald's registration pins, and page-aligned past any
  // min_buffer_alignment a device reports. Both kinds are zero-filled, as
  // memory handed to a tenant must be.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (size == 0 || size > std::numeric_limits<uint64_t>::max() - page) return nullptr;
  const uint64_t mapped_size = (size + page - 1) / page * page;
  if (shareable) {
    absl::StatusOr<SharedMemory> memfd = SharedMemory::Create(mapped_size, memfd_name);
    if (!memfd.ok()) return nullptr;
    uint8_t* data = memfd->data();
    // Touched now, by the tenant, as a local staging allocation is when the
    // runtime zeroes it.
    memfd->PopulateHere();
    return std::unique_ptr<HostShadow>(new HostShadow(data, mapped_size, *std::move(memfd)));
  }
  void* data =
      mmap(nullptr, mapped_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return nullptr;
  return std::unique_ptr<HostShadow>(
      new HostShadow(static_cast<uint8_t*>(data), mapped_size, std::nullopt));
}

HostShadow::~HostShadow() {
  if (!memfd_.has_value()) munmap(data_, mapped_size_);
}

}  // namespace hal::remote
