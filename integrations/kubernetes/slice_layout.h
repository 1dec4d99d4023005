// How one of hald's physical devices is cut into slices that the kubelet
// counts: N slices of the same memory and compute share, each an extended-
// resource device of its own ("vulkan-0-s3" of resource "hal.dev/vulkan-0"),
// and the names that tie a virtual device made of slices back to them (its
// name and its owner string, which hald keeps and shows). Nothing here talks
// to the kubelet or hald, so a DRA kubelet plugin can reuse it.
#ifndef HAL_INTEGRATIONS_KUBERNETES_SLICE_LAYOUT_H_
#define HAL_INTEGRATIONS_KUBERNETES_SLICE_LAYOUT_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hal::kubernetes {

// The most slices one device is cut into: keeps a virtual device's owner
// string (every slice it holds) within hald's 256 bytes.
inline constexpr int kMaxSlicesPerDevice = 128;

// What the operator asks for (flags of hal-device-plugin).
struct SliceOptions {
  uint64_t slice_bytes = uint64_t{1} << 30;  // memory quota of one slice
  // Compute share of one slice; 0: the device's room split evenly (1 / the
  // number of slices on a device no one else uses).
  double slice_share = 0.0;
  // At most this many slices per device (also bounded by memory and by
  // kMaxSlicesPerDevice); 0: as many as the device's memory holds.
  int max_slices = 0;
  std::string resource_domain = "hal.dev";  // resource "hal.dev/vulkan-0"
};

// InvalidArgument naming the option for values no layout can have (a slice
// of 0 bytes, a share outside [0, 1], a negative count, a domain that is no
// DNS subdomain).
absl::Status ValidateSliceOptions(const SliceOptions& options);

// One physical device's slices.
class DeviceSlices {
 public:
  // `device_id` is hald's ("vulkan:0"); `room_bytes` and `room_share` what
  // its pool can still place there besides this plugin's virtual devices
  // (capacity x overcommit ratio - other quotas; 1 - other compute shares).
  // The slices fill that room, so every one of them can be placed.
  // FailedPrecondition when not even one slice fits.
  static absl::StatusOr<DeviceSlices> Make(const std::string& device_id, uint64_t room_bytes,
                                           double room_share, const SliceOptions& options);

  const std::string& device_id() const { return device_id_; }
  // "vulkan-0": the device id as Kubernetes names and CDI device names allow.
  const std::string& short_name() const { return short_name_; }
  // "hal.dev/vulkan-0"
  const std::string& resource_name() const { return resource_name_; }
  int count() const { return count_; }
  uint64_t slice_bytes() const { return slice_bytes_; }
  double slice_share() const { return slice_share_; }

  // "vulkan-0-s3" for slice 3.
  std::string SliceId(int index) const;
  // Every slice id, in index order.
  std::vector<std::string> SliceIds() const;
  // The index of a slice id of this device; InvalidArgument naming the id and
  // the resource otherwise (another device's, out of range, malformed).
  absl::StatusOr<int> ParseSliceId(absl::string_view id) const;

  // Memory quota and compute share of a virtual device of `slices` slices.
  uint64_t MemoryOf(int slices) const { return slice_bytes_ * static_cast<uint64_t>(slices); }
  double ComputeShareOf(int slices) const;

  // The virtual device made of `slices` (not empty): "k8s-vulkan-0-s3", named
  // after its lowest slice, which no other virtual device of this device holds.
  std::string VirtualDeviceName(const std::set<int>& slices) const;
  // hald's owner string of it: "kubernetes hal.dev/vulkan-0 slices 3-5,9".
  std::string OwnerOf(const std::set<int>& slices) const;
  // The slices an owner string of this device names; NotFound when it is not
  // one of this device's (another device, another owner), InvalidArgument
  // when it is but its slice list does not parse or names slices out of range.
  absl::StatusOr<std::set<int>> SlicesOfOwner(absl::string_view owner) const;

 private:
  DeviceSlices() = default;

  std::string device_id_;
  std::string short_name_;
  std::string resource_name_;
  int count_ = 0;
  uint64_t slice_bytes_ = 0;
  double slice_share_ = 0;
};

// "3-5,9" for {3, 4, 5, 9}; "" for none.
std::string FormatSliceSet(const std::set<int>& slices);
// The inverse; InvalidArgument for text that is not such a list (empty
// items, reversed ranges, numbers that do not parse).
absl::StatusOr<std::set<int>> ParseSliceSet(absl::string_view text);

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_SLICE_LAYOUT_H_
