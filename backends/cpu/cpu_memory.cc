#include "backends/cpu/cpu_memory.h"

#include <cstdlib>
#include <limits>
#include <string>

#include "backends/cpu/cpu_device.h"
#include "backends/cpu/cpu_error.h"
#include "backends/cpu/cpu_virtual_memory.h"

namespace hal::cpu {
namespace {

hal_result OutOfMemory(uint64_t size) {
  return Fail(HAL_ERROR_OUT_OF_MEMORY,
              "cannot allocate " + std::to_string(size) + " bytes of host memory for a CPU buffer");
}

// `size` rounded up to `granularity`, or false when that overflows size_t.
bool RoundUp(uint64_t size, uint64_t granularity, uint64_t* out_rounded) {
  if (size > std::numeric_limits<size_t>::max() - (granularity - 1)) return false;
  *out_rounded = (size + granularity - 1) / granularity * granularity;
  return true;
}

}  // namespace

hal_result Buffer::Allocate(uint64_t size, std::unique_ptr<Buffer>* out_buffer) {
  uint64_t rounded = 0;
  if (!RoundUp(size, kAllocationGranularity, &rounded)) return OutOfMemory(size);
  // aligned_alloc wants the size to be a multiple of the alignment, as
  // rounded (a multiple of the granularity, itself one of the alignment) is.
  static_assert(kAllocationGranularity % kBufferAlignment == 0);
  auto* memory = static_cast<std::byte*>(std::aligned_alloc(kBufferAlignment, rounded));
  if (memory == nullptr) return OutOfMemory(size);
  out_buffer->reset(new Buffer(Backing::kHeap, memory, rounded));
  return HAL_SUCCESS;
}

hal_result Buffer::AllocateDecommittable(uint64_t size, std::unique_ptr<Buffer>* out_buffer) {
  uint64_t rounded = 0;
  if (!RoundUp(size, PageSize(), &rounded)) return OutOfMemory(size);
  std::byte* range = nullptr;
  if (const hal_result result = ReserveRange(rounded, &range); result != HAL_SUCCESS) {
    return result;
  }
  if (const hal_result result = CommitRange(range, rounded); result != HAL_SUCCESS) {
    ReleaseRange(range, rounded);
    return result;
  }
  out_buffer->reset(new Buffer(Backing::kReservedRange, range, rounded));
  return HAL_SUCCESS;
}

std::unique_ptr<Buffer> Buffer::Register(void* host, uint64_t size) {
  return std::unique_ptr<Buffer>(
      new Buffer(Backing::kCallerMemory, static_cast<std::byte*>(host), size));
}

Buffer::~Buffer() {
  switch (backing_) {
    case Backing::kHeap:
      std::free(data_);
      break;
    case Backing::kReservedRange:
      ReleaseRange(data_, allocated_size_);
      break;
    case Backing::kCallerMemory:
      break;  // the caller's to free
  }
}

hal_result Buffer::SetCommitted(bool committed) {
  const char* const operation = committed ? "recommit" : "decommit";
  if (backing_ != Backing::kReservedRange) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION,
                std::string("cannot ") + operation +
                    " a buffer allocated without HAL_BUFFER_FLAG_DECOMMITTABLE");
  }
  if (committed_ == committed) {
    return Fail(HAL_ERROR_FAILED_PRECONDITION, std::string("cannot ") + operation +
                                                   " a buffer that is already " +
                                                   (committed ? "committed" : "decommitted"));
  }
  const hal_result result =
      committed ? CommitRange(data_, allocated_size_) : DecommitRange(data_, allocated_size_);
  if (result == HAL_SUCCESS) committed_ = committed;
  return result;
}

}  // namespace hal::cpu
