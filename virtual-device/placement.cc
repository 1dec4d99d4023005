#include "virtual-device/placement.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hal::internal {
namespace {

// Why `candidate` cannot take `spec`, or nothing when it can.
std::optional<std::string> Unfit(const VirtualDeviceSpec& spec, const PlacementCandidate& c) {
  const DeviceProperties& props = c.device->properties();
  if (spec.require_vendor && props.vendor != *spec.require_vendor) {
    return absl::StrCat("vendor is ", props.vendor, ", not ", *spec.require_vendor);
  }
  if (spec.require_format && std::find(props.kernel_formats.begin(), props.kernel_formats.end(),
                                       *spec.require_format) == props.kernel_formats.end()) {
    return absl::StrCat("takes kernel formats [", absl::StrJoin(props.kernel_formats, ", "),
                        "], not ", *spec.require_format);
  }
  if (spec.memory_quota > c.quota_room) {
    return absl::StrCat("has room for ", c.quota_room, " bytes of quota, not ", spec.memory_quota);
  }
  // A small epsilon keeps four shares of 0.25 from failing on rounding.
  if (spec.compute_share > c.compute_room + 1e-9) {
    return absl::StrCat("has ", c.compute_room, " of its compute unplaced, not ",
                        spec.compute_share);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<size_t> PlaceVirtualDevice(const VirtualDeviceSpec& spec,
                                          const std::vector<PlacementCandidate>& candidates,
                                          PlacementPolicy policy) {
  std::vector<std::string> reasons;
  std::optional<size_t> best;
  bool best_preferred = false;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const PlacementCandidate& c = candidates[i];
    if (auto why = Unfit(spec, c)) {
      reasons.push_back(absl::StrCat(c.device->id(), ": ", *why));
      continue;
    }
    const bool preferred =
        spec.prefer_vendor && c.device->properties().vendor == *spec.prefer_vendor;
    if (best && best_preferred && !preferred) continue;
    const bool better_room = !best || (policy == PlacementPolicy::kBinpack
                                           ? c.quota_room < candidates[*best].quota_room
                                           : c.quota_room > candidates[*best].quota_room);
    if ((preferred && !best_preferred) || better_room) {
      best = i;
      best_preferred = preferred;
    }
  }
  if (best) return *best;
  return absl::ResourceExhaustedError(
      absl::StrCat("no device of the pool can take virtual device \"", spec.name,
                   "\" (memory quota ", spec.memory_quota, " bytes, compute share ",
                   spec.compute_share, "): ", absl::StrJoin(reasons, "; ")));
}

}  // namespace hal::internal
