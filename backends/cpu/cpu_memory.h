// Buffers of the CPU driver. Device memory is host memory, aligned to
// kBufferAlignment, so every buffer (device or staging) can be mapped.
#ifndef HAL_BACKENDS_CPU_CPU_MEMORY_H_
#define HAL_BACKENDS_CPU_CPU_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

#include "hal/driver/hal_driver.h"

namespace hal::cpu {

class Buffer {
  struct Free {
    void operator()(std::byte* memory) const { std::free(memory); }
  };

 public:
  // Takes size >= 1 bytes, rounded up to kAllocationGranularity, from the
  // heap. HAL_ERROR_OUT_OF_MEMORY (with a message) when the heap refuses.
  static hal_result Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer);

  // Use Allocate(); the memory comes from std::aligned_alloc.
  Buffer(std::unique_ptr<std::byte, Free> memory, uint64_t allocated_size)
      : memory_(std::move(memory)), allocated_size_(allocated_size) {}

  std::byte* data() const { return memory_.get(); }
  uint64_t allocated_size() const { return allocated_size_; }

 private:
  std::unique_ptr<std::byte, Free> memory_;
  uint64_t allocated_size_;
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_MEMORY_H_
