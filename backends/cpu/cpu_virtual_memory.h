// Reserved address ranges whose pages are committed and given back without
// the range moving: the CPU's HAL_CAPABILITY_VIRTUAL_MEMORY. Page-granular;
// every address and size passed in is a multiple of PageSize().
#ifndef HAL_BACKENDS_CPU_CPU_VIRTUAL_MEMORY_H_
#define HAL_BACKENDS_CPU_CPU_VIRTUAL_MEMORY_H_

#include <cstddef>
#include <cstdint>

#include "hal/driver/hal_driver.h"

namespace hal::cpu {

// The host's page size: the granularity of everything below.
uint64_t PageSize();

// Reserves `size` bytes of address space, inaccessible and charged nothing.
// HAL_ERROR_OUT_OF_MEMORY (with a message) when the address space is full.
hal_result ReserveRange(uint64_t size, std::byte** out_address);
// Makes the range read-write. The kernel charges it to the commit limit now,
// so a refusal is HAL_ERROR_OUT_OF_MEMORY here (the range stays inaccessible)
// rather than the OOM killer at first touch.
hal_result CommitRange(std::byte* address, uint64_t size);
// Gives the range's pages back to the OS and makes it inaccessible again; the
// addresses stay reserved, and a later commit reads zeros.
hal_result DecommitRange(std::byte* address, uint64_t size);
// Ends the reservation.
void ReleaseRange(std::byte* address, uint64_t size);

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_VIRTUAL_MEMORY_H_
