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

const char* CapabilityName(Capability capability) {
  switch (capability) {
    case Capability::kDeviceAddress: return "device-address";
    case Capability::kVirtualMemory: return "virtual-memory";
    case Capability::kHostRegistration: return "host-registration";
    case Capability::kNativeHandles: return "native-handles";
    case Capability::kStreamPriority: return "stream-priority";
    case Capability::kMemoryCache: return "memory-cache";
  }
  return "unknown";
}

std::vector<std::string> CapabilitySet::names() const {
  std::vector<std::string> names;
  for (Capability capability : kAll) {
    if (has(capability)) names.emplace_back(CapabilityName(capability));
  }
  return names;
}

}  // namespace hal
