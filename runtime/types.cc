#include "hal/types.h"

namespace hal {

const char* PartitionKindName(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::kNone: return "none";
    case PartitionKind::kSm: return "sm";
    case PartitionKind::kCuMask: return "cu-mask";
    case PartitionKind::kSubDevice: return "sub-device";
  }
  return "unknown";
}

const char* DeviceTypeName(DeviceType type) {
  switch (type) {
    case DeviceType::kOther: return "other";
    case DeviceType::kCpu: return "cpu";
    case DeviceType::kDiscreteGpu: return "discrete-gpu";
    case DeviceType::kIntegratedGpu: return "integrated-gpu";
    case DeviceType::kVirtualGpu: return "virtual-gpu";
  }
  return "unknown";
}

}  // namespace hal
