// The CPU driver's one device: the host CPU, its properties and its memory.
#ifndef HAL_BACKENDS_CPU_CPU_DEVICE_H_
#define HAL_BACKENDS_CPU_CPU_DEVICE_H_

#include <cstdint>

#include "hal/driver/hal_driver.h"

namespace hal::cpu {

// A cache line: buffers never share one, and every SIMD load width is aligned.
inline constexpr uint64_t kBufferAlignment = 64;
inline constexpr uint64_t kAllocationGranularity = 64;
// 16 bytes (a 128-bit vector, the alignment Vulkan implementations commonly
// require of storage-buffer offsets) rather than 4: a kernel can then load
// vectors from any binding without unaligned accesses, and a binding layout
// that is valid here is valid on the GPUs too.
inline constexpr uint64_t kBindingOffsetAlignment = 16;

// Every field, `next` NULL.
// Computed on first use; thread-safe.
const hal_device_properties& DeviceProperties();

// MemAvailable and MemTotal of /proc/meminfo. HAL_ERROR_UNAVAILABLE if it
// cannot be read.
hal_result GetMemoryInfo(uint64_t* out_free_bytes, uint64_t* out_total_bytes);

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_DEVICE_H_
