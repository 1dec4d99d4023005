#include "integrations/kubernetes/device_room.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hal::kubernetes {
namespace {

constexpr uint64_t kMaxBytes = std::numeric_limits<uint64_t>::max();

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > kMaxBytes - b ? kMaxBytes : a + b; }

// A non-negative byte count from a double: NaN and negatives are 0, anything
// at or past 2^64 is the largest count.
uint64_t SaturatingBytes(double bytes) {
  if (!(bytes > 0)) return 0;
  if (bytes >= 18446744073709551616.0) return kMaxBytes;
  return static_cast<uint64_t>(bytes);
}

// The compute share left when `others` is placed: a figure that is not a
// finite number proves no room.
double ShareLeft(double others) {
  if (!std::isfinite(others)) return 0.0;
  return std::clamp(1.0 - std::max(0.0, others), 0.0, 1.0);
}

}  // namespace

Room RoomOf(const remote::v1::PoolStatus& status, const remote::v1::PhysicalDeviceStatus& device,
            const std::string& resource_domain) {
  const std::string our_prefix = absl::StrCat("kubernetes ", resource_domain, "/");
  uint64_t ours_bytes = 0;
  double ours_share = 0;
  for (const remote::v1::VirtualDeviceStatus& vd : status.virtual_devices()) {
    if (vd.device() == device.id() && vd.dynamic() && absl::StartsWith(vd.owner(), our_prefix)) {
      ours_bytes = SaturatingAdd(ours_bytes, vd.memory_quota_bytes());
      ours_share += vd.compute_share();
    }
  }
  // An overcommitted pool places up to its ratio times the capacity.
  const double ratio = std::isfinite(status.overcommit_ratio())
                           ? std::max(1.0, status.overcommit_ratio())
                           : 1.0;
  const uint64_t placeable = SaturatingBytes(static_cast<double>(device.capacity_bytes()) * ratio);
  const uint64_t others = device.quota_placed_bytes() - std::min(device.quota_placed_bytes(), ours_bytes);
  return Room{placeable - std::min(placeable, others),
              ShareLeft(device.compute_placed() - ours_share)};
}

}  // namespace hal::kubernetes
