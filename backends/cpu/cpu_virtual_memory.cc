#include "backends/cpu/cpu_virtual_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "backends/cpu/cpu_error.h"

namespace hal::cpu {
namespace {

hal_result FailErrno(const char* call, uint64_t size, int error) {
  return Fail(error == ENOMEM ? HAL_ERROR_OUT_OF_MEMORY : HAL_ERROR_INTERNAL,
              std::string(call) + " of " + std::to_string(size) +
                  " bytes for a decommittable CPU buffer failed: " + std::strerror(error));
}

}  // namespace

uint64_t PageSize() {
  static const uint64_t page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page_size;
}

hal_result ReserveRange(uint64_t size, std::byte** out_address) {
  // PROT_NONE private memory is not charged to the commit limit, so no
  // MAP_NORESERVE: leaving it out makes CommitRange's mprotect charge the
  // pages, and fail cleanly, when they become writable.
  void* address = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED) return FailErrno("reserving the address range", size, errno);
  *out_address = static_cast<std::byte*>(address);
  return HAL_SUCCESS;
}

hal_result CommitRange(std::byte* address, uint64_t size) {
  if (mprotect(address, size, PROT_READ | PROT_WRITE) != 0) {
    return FailErrno("committing the pages", size, errno);
  }
  return HAL_SUCCESS;
}

hal_result DecommitRange(std::byte* address, uint64_t size) {
  // A fresh inaccessible mapping over the range drops its pages (and their
  // commit charge) in one call, and never lets go of the addresses.
  if (mmap(address, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
      MAP_FAILED) {
    return FailErrno("decommitting the pages", size, errno);
  }
  return HAL_SUCCESS;
}

void ReleaseRange(std::byte* address, uint64_t size) { munmap(address, size); }

}  // namespace hal::cpu
