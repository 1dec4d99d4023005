// How far the scale suites push a device: the memory-pressure limit.
#ifndef HAL_CONFORMANCE_SCALE_SCALE_LIMITS_H_
#define HAL_CONFORMANCE_SCALE_SCALE_LIMITS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "hal/hal.h"

namespace hal::cts {

// The most memory a MemoryPressure test fills. On the CPU driver and on
// lavapipe "device" memory is the host's RAM, and the runner may run the
// pressure groups of two such devices at once (each is exclusive only on its
// own device), under ASan, whose shadow adds an eighth, in a CI runner of a
// few GiB shared with the build. The time is the tighter bound: each of the
// suite's twelve cases writes and reads every byte up to the limit, one to
// three times, and the suite must stay within ~3 s per device in the default
// build (it ran 10 s per device at 256 MiB on the CI-sized machine). 64 MiB
// is four times the largest single buffer of any other test
// (kLargeBufferCapBytes), reached here with tens to hundreds of buffers.
inline constexpr uint64_t kPressureCapBytes = uint64_t{64} << 20;

// The share of the device's free memory a pressure test may take: the
// driver keeps some for itself (page tables, its context's own buffers),
// and the free figure is a snapshot that other processes move.
inline constexpr uint64_t kPressureFreeShareNumerator = 7;
inline constexpr uint64_t kPressureFreeShareDenominator = 8;

// min(7/8 of the device's free memory now, kPressureCapBytes), rounded down
// to the device's allocation granularity. Fails when the driver cannot say
// how much memory is free.
absl::StatusOr<uint64_t> PressureLimitBytes(const PhysicalDevice& device);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_SCALE_SCALE_LIMITS_H_
