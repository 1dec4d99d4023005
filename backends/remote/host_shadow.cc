#include "backends/remote/host_shadow.h"

#include <sys/mman.h>

namespace hal::remote {

std::unique_ptr<HostShadow> HostShadow::Allocate(uint64_t size) {
  // mmap: page-aligned (past any min_buffer_alignment a device reports) and
  // zero-filled, as memory handed to a tenant must be.
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return nullptr;
  return std::unique_ptr<HostShadow>(new HostShadow(static_cast<uint8_t*>(data), size));
}

HostShadow::~HostShadow() { munmap(data_, mapped_size_); }

}  // namespace hal::remote
