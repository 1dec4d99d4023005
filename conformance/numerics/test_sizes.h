// Sizes the numerics, copy/fill and scale suites share.
#ifndef HAL_CONFORMANCE_NUMERICS_TEST_SIZES_H_
#define HAL_CONFORMANCE_NUMERICS_TEST_SIZES_H_

#include <algorithm>
#include <cstdint>

#include "hal/hal.h"

namespace hal::cts {

// The "large" size of a buffer in a test. Capped because the suite runs on
// every device in CI (under ASan and TSan too) and a large case must stay
// well under 100 ms on the CPU driver; 16 MiB is past every cache and still
// proves that copies and kernels are not limited to small sizes. (At 64 MiB
// the large cases alone took over a minute of the suite under ASan on
// lavapipe, which the 30-minute CI cannot carry three times over.)
inline constexpr uint64_t kLargeBufferCapBytes = uint64_t{16} << 20;

// The granularity a large size is rounded down to: a page, so large sizes
// are multiples of every element size and workgroup-friendly.
inline constexpr uint64_t kLargeBufferGranularityBytes = 4096;

// min(device memory / 4, kLargeBufferCapBytes), rounded down to 4 KiB: a
// quarter of the memory leaves room for a second buffer of the same size (a
// copy's source and destination) and for what the driver itself holds.
inline uint64_t LargeBufferBytes(const DeviceProperties& properties) {
  const uint64_t bytes = std::min(properties.memory_bytes / 4, kLargeBufferCapBytes);
  return bytes - bytes % kLargeBufferGranularityBytes;
}

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_NUMERICS_TEST_SIZES_H_
