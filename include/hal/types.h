// Small value types shared by the public API.
#ifndef HAL_TYPES_H_
#define HAL_TYPES_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

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

// A context asking for N units is granted max(N, min_units) rounded up to a
// multiple of alignment, at most max_units.
struct PartitionInfo {
  PartitionKind kind = PartitionKind::kNone;
  uint32_t min_units = 0;  // the smallest grant
  uint32_t alignment = 0;  // grants are multiples of this
  uint32_t max_units = 0;  // units in the whole device
};

// Optional driver capabilities a device reports (docs/driver-guide.md says
// which entry points each enables and which drivers implement it).
enum class Capability : uint32_t {
  kDeviceAddress = 1u << 0,
  kVirtualMemory = 1u << 1,
  kHostRegistration = 1u << 2,
  kNativeHandles = 1u << 3,
  kStreamPriority = 1u << 4,
  kMemoryCache = 1u << 5,
};
// "device-address", "virtual-memory", "host-registration", "native-handles",
// "stream-priority", "memory-cache".
HAL_API const char* CapabilityName(Capability capability);

// A set of capabilities, as the device reports them.
class CapabilitySet {
 public:
  // Every capability, in bit order: what a set's members are listed from.
  static constexpr std::array<Capability, 6> kAll = {
      Capability::kDeviceAddress, Capability::kVirtualMemory,  Capability::kHostRegistration,
      Capability::kNativeHandles, Capability::kStreamPriority, Capability::kMemoryCache};

  constexpr CapabilitySet() = default;
  // Bits no capability names are dropped.
  constexpr explicit CapabilitySet(uint32_t bits) : bits_(bits & kKnownBits) {}

  constexpr bool has(Capability capability) const {
    return (bits_ & static_cast<uint32_t>(capability)) != 0;
  }
  constexpr uint32_t bits() const { return bits_; }
  // The members' names in bit order.
  HAL_API std::vector<std::string> names() const;

 private:
  static constexpr uint32_t kKnownBits = (1u << kAll.size()) - 1;
  uint32_t bits_ = 0;
};

enum class DeviceType { kOther, kCpu, kDiscreteGpu, kIntegratedGpu, kVirtualGpu };
HAL_API const char* DeviceTypeName(DeviceType type);  // "other", "cpu", "discrete-gpu", ...

enum class BufferKind { kDevice, kHostStaging };

}  // namespace hal

#endif  // HAL_TYPES_H_
