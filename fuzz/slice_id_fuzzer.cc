// libFuzzer target for what the Kubernetes device plugin parses from outside
// (integrations/kubernetes/slice_layout.h): the device ids the kubelet sends
// (Allocate, GetPreferredAllocation, the pod-resources list), the owner
// strings and device ids in hald's status, and slice lists. The input's first
// line is hald's device id, the rest the text parsed every way. Any input
// must be accepted or refused with the documented code; what is accepted
// writes back out to text that parses to the same slices.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "integrations/kubernetes/slice_layout.h"

namespace {

using hal::kubernetes::DeviceSlices;

void Require(bool condition) {
  if (!condition) std::abort();
}

void ParseWith(const DeviceSlices& slices, absl::string_view text) {
  absl::StatusOr<int> index = slices.ParseSliceId(text);
  if (index.ok()) {
    Require(*index >= 0 && *index < slices.count());
    Require(*slices.ParseSliceId(slices.SliceId(*index)) == *index);
  } else {
    Require(index.status().code() == absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<std::set<int>> owned = slices.SlicesOfOwner(text);
  if (owned.ok()) {
    Require(!owned->empty() && *owned->begin() >= 0 && *owned->rbegin() < slices.count());
    absl::StatusOr<std::set<int>> again = slices.SlicesOfOwner(slices.OwnerOf(*owned));
    Require(again.ok() && *again == *owned);
    slices.VirtualDeviceName(*owned);
    Require(slices.ComputeShareOf(static_cast<int>(owned->size())) <= 1.0);
  } else {
    Require(owned.status().code() == absl::StatusCode::kInvalidArgument ||
            owned.status().code() == absl::StatusCode::kNotFound);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string device_id(input.substr(0, newline));
  const absl::string_view text =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);

  absl::StatusOr<std::set<int>> list = hal::kubernetes::ParseSliceSet(text);
  if (list.ok()) {
    absl::StatusOr<std::set<int>> again =
        hal::kubernetes::ParseSliceSet(hal::kubernetes::FormatSliceSet(*list));
    Require(again.ok() && *again == *list);
  } else {
    Require(list.status().code() == absl::StatusCode::kInvalidArgument);
  }

  // A device of 16 slices, and one of a single slice (the edge of the ranges).
  hal::kubernetes::SliceOptions options;
  for (uint64_t room_bytes : {uint64_t{16} << 30, uint64_t{1} << 30}) {
    absl::StatusOr<DeviceSlices> slices = DeviceSlices::Make(device_id, room_bytes, 1.0, options);
    Require(slices.ok());
    Require(slices->ParseSliceId(slices->SliceId(slices->count() - 1)).ok());
    ParseWith(*slices, text);
  }
  return 0;
}
