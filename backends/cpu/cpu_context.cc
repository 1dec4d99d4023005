#include "backends/cpu/cpu_context.h"

#include <algorithm>
#include <limits>

#include "backends/common/streaming_stores.h"
#include "backends/cpu/proc_files.h"

namespace hal::cpu {
namespace {

uint64_t LargeBytes() {
  const std::optional<uint64_t> last_level = ReadLastLevelCacheBytes();
  if (!last_level) return std::numeric_limits<uint64_t>::max();
  return std::max<uint64_t>(*last_level / 4 * 3, driver_support::kStreamingCopyMinBytes);
}

}  // namespace

Context::Context() : pool_(UsableCpuCount() - 1), large_bytes_(LargeBytes()) {}

bool Context::StreamsCopy(const void* source, uint64_t size) {
  if (StreamsFill(size)) return true;
  // Smaller copies never stream (streaming_stores.h): they skip the lookup.
  if (size < driver_support::kStreamingCopyMinBytes) return false;
  uint64_t offset = 0;
  return registered_memory_.Find(source, size, &offset) != nullptr;
}

}  // namespace hal::cpu
