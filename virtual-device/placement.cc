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
  // Partitions of one device are disjoint: the grant, rounded as the driver
  // rounds it, must fit in the units no other partition holds.
  const PartitionInfo& partition = props.partition;
  if (spec.compute_share < 1.0 && HasPartitions(partition)) {
    const uint32_t asked = PartitionUnitsAsked(partition, spec.compute_share);
    const uint32_t granted = PartitionUnitsGranted(partition, asked);
    if (granted > c.partition_room) {
      return absl::StrCat("has ", c.partition_room, " of its ", partition.max_units, " ",
                          PartitionKindName(partition.kind),
                          " partition units in no other virtual device's partition, not the ",
                          granted, " a share of ", spec.compute_share, " is granted (", asked,
                          " asked; minimum ", partition.min_units, ", alignment ",
                          partition.alignment, ")");
    }
  }
  return std::nullopt;
}

}  // namespace

bool HasPartitions(const PartitionInfo& partition) {
  return partition.kind != PartitionKind::kNone && partition.max_units > 0;
}

uint32_t PartitionUnitsAsked(const PartitionInfo& partition, double compute_share) {
  const uint32_t alignment = std::max<uint32_t>(1, partition.alignment);
  const auto units = static_cast<uint32_t>(compute_share * partition.max_units);
  return std::max({1u, partition.min_units, units / alignment * alignment});
}

uint32_t PartitionUnitsGranted(const PartitionInfo& partition, uint32_t asked) {
  const uint64_t alignment = std::max<uint32_t>(1, partition.alignment);
  const uint64_t at_least = std::max(asked, partition.min_units);
  const uint64_t rounded = (at_least + alignment - 1) / alignment * alignment;
  return static_cast<uint32_t>(std::min<uint64_t>(rounded, partition.max_units));
}

absl::StatusOr<size_t> PlaceVirtualDevice(const VirtualDeviceSpec& spec,
                                          const std::vector<PlacementCandidate>& candidates,
                                          PlacementPolicy policy) {
  if (spec.require_device &&
      std::none_of(candidates.begin(), candidates.end(), [&](const PlacementCandidate& c) {
        return c.device->id() == *spec.require_device;
      })) {
    std::vector<std::string> ids;
    for (const PlacementCandidate& c : candidates) ids.push_back(c.device->id());
    return absl::NotFoundError(absl::StrCat("virtual device \"", spec.name,
                                            "\" requires device ", *spec.require_device,
                                            ", which is not in the pool (",
                                            absl::StrJoin(ids, ", "), ")"));
  }
  std::vector<std::string> reasons;
  std::optional<size_t> best;
  bool best_preferred = false;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const PlacementCandidate& c = candidates[i];
    // The others are not candidates at all: the refusal names only its own.
    if (spec.require_device && c.device->id() != *spec.require_device) continue;
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
