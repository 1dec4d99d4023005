#include "backends/cpu/cpu_memory.h"

#include <limits>
#include <string>

#include "backends/cpu/cpu_device.h"
#include "backends/cpu/cpu_error.h"

namespace hal::cpu {

hal_result Buffer::Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer) {
  const auto out_of_memory = [size] {
    return Fail(HAL_ERROR_OUT_OF_MEMORY, "cannot allocate " + std::to_string(size) +
                                             " bytes of host memory for a CPU buffer");
  };
  if (size > std::numeric_limits<size_t>::max() - (kAllocationGranularity - 1)) {
    return out_of_memory();
  }
  const uint64_t rounded =
      (size + kAllocationGranularity - 1) / kAllocationGranularity * kAllocationGranularity;
  // aligned_alloc wants the size to be a multiple of the alignment, as
  // rounded (a multiple of the granularity, itself one of the alignment) is.
  static_assert(kAllocationGranularity % kBufferAlignment == 0);
  std::unique_ptr<std::byte, Free> memory(
      static_cast<std::byte*>(std::aligned_alloc(kBufferAlignment, rounded)));
  if (memory == nullptr) return out_of_memory();
  *out_buffer = std::make_unique<Buffer>(std::move(memory), rounded);
  return HAL_SUCCESS;
}

}  // namespace hal::cpu
