// Buffers of the CPU driver. Device memory is host memory, so every buffer
// (device, staging or registered) can be mapped, and its address is what
// kernels see. A buffer's memory comes from one of three places: the heap,
// a reserved range whose pages can be given back (decommittable buffers), or
// the caller (registered host memory, never freed here).
#ifndef HAL_BACKENDS_CPU_CPU_MEMORY_H_
#define HAL_BACKENDS_CPU_CPU_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "hal/driver/hal_driver.h"

namespace hal::cpu {

class Buffer {
 public:
  // Takes size >= 1 bytes, rounded up to kAllocationGranularity, from the
  // heap. HAL_ERROR_OUT_OF_MEMORY (with a message) when the heap refuses.
  static hal_result Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer);
  // Reserves size >= 1 bytes rounded up to the page size and commits them
  // (HAL_BUFFER_FLAG_DECOMMITTABLE). HAL_ERROR_OUT_OF_MEMORY with a message
  // when the address space or the commit limit refuses.
  static hal_result AllocateDecommittable(uint64_t size, std::unique_ptr<Buffer>* out_buffer);
  // Wraps `size` bytes the caller owns at `host`; freeing the buffer leaves
  // them untouched.
  static std::unique_ptr<Buffer> Register(void* host, uint64_t size);

  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  std::byte* data() const { return data_; }
  // Whether the memory is the caller's (Register).
  bool registered() const { return backing_ == Backing::kCallerMemory; }
  // The bytes a kernel may reach from data(): the size rounded up to the
  // granularity of where the memory came from.
  uint64_t allocated_size() const { return allocated_size_; }

  // On a decommittable buffer only, each in the other state (the runtime
  // guarantees both; otherwise HAL_ERROR_FAILED_PRECONDITION). Decommit gives
  // the pages back keeping the address; Recommit brings zeroed pages back, or
  // fails with HAL_ERROR_OUT_OF_MEMORY leaving the buffer decommitted.
  hal_result Decommit() { return SetCommitted(false); }
  hal_result Recommit() { return SetCommitted(true); }

 private:
  enum class Backing { kHeap, kReservedRange, kCallerMemory };
  Buffer(Backing backing, std::byte* data, uint64_t allocated_size)
      : backing_(backing), data_(data), allocated_size_(allocated_size) {}
  // Decommit (false) or Recommit (true), refusing a buffer that is not
  // decommittable or already in that state.
  hal_result SetCommitted(bool committed);

  const Backing backing_;
  std::byte* const data_;
  const uint64_t allocated_size_;
  bool committed_ = true;  // only ever false for kReservedRange
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_MEMORY_H_
