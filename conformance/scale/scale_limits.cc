#include "conformance/scale/scale_limits.h"

#include <algorithm>

namespace hal::cts {

absl::StatusOr<uint64_t> PressureLimitBytes(const PhysicalDevice& device) {
  HAL_ASSIGN_OR_RETURN(const uint64_t free_bytes, device.QueryFreeMemory());
  const uint64_t usable = free_bytes / kPressureFreeShareDenominator * kPressureFreeShareNumerator;
  const uint64_t limit = std::min(usable, kPressureCapBytes);
  const uint64_t granularity = std::max<uint64_t>(device.properties().allocation_granularity, 1);
  return limit - limit % granularity;
}

}  // namespace hal::cts
