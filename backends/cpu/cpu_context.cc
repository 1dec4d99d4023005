#include "backends/cpu/cpu_context.h"

#include "backends/common/streaming_stores.h"

namespace hal::cpu {

Context::Context() : pool_(driver_support::UsableCpuCount() - 1) {}

bool Context::StreamsFill(uint64_t size) const {
  return size >= driver_support::CacheEvictingBytes();
}

bool Context::StreamsCopy(const void* source, uint64_t size) {
  if (StreamsFill(size)) return true;
  // Smaller copies never stream (streaming_stores.h): they skip the lookup.
  if (size < driver_support::kStreamingCopyMinBytes) return false;
  uint64_t offset = 0;
  return registered_memory_.Find(source, size, &offset) != nullptr;
}

}  // namespace hal::cpu
