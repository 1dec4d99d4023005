// Small value types shared by the public API.
#ifndef HAL_TYPES_H_
#define HAL_TYPES_H_

#include <array>
#include <cstdint>
#include <string>

#include "hal/export.h"

namespace hal {

// Maximums of the kernel ABI (docs/architecture.md, "Kernel ABI").
inline constexpr uint32_t kMaxBindings = 16;
inline constexpr uint32_t kMaxPushConstantSize = 128;

// Number of workgroups in each dimension of a dispatch.
struct GridSize {
  uint32_t x = 1, y = 1, z = 1;
};

// How a physical device can split its compute among contexts.
enum class PartitionKind { kNone, kSm, kCuMask, kSubDevice };
HAL_API const char* PartitionKindName(PartitionKind kind);  // "none", "sm", "cu-mask", "sub-device"

struct PartitionInfo {
  PartitionKind kind = PartitionKind::kNone;
  uint32_t granularity = 0;  // units are granted in multiples of this
  uint32_t max_units = 0;    // units in the whole device
};

enum class DeviceType { kOther, kCpu, kDiscreteGpu, kIntegratedGpu, kVirtualGpu };
HAL_API const char* DeviceTypeName(DeviceType type);  // "other", "cpu", "discrete-gpu", ...

enum class BufferKind { kDevice, kHostStaging };

}  // namespace hal

#endif  // HAL_TYPES_H_
