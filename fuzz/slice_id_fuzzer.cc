// libFuzzer target for what the Kubernetes device plugin parses from outside
// (integrations/kubernetes/slice_layout.h): the device ids the kubelet sends
// (Allocate, GetPreferredAllocation, the pod-resources list), the owner
// strings and device ids in hald's status, slice lists, and the room hald
// reports a device has (which DeviceSlices::Make cuts into slices). The
// input (FuzzedDataProvider): from its end, the room and the slice options;
// from its start, hald's device id up to a backslash, then the text parsed
// every way. Any input must be accepted or refused with the documented
// code; what is accepted writes back out to text that parses to the same.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

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
  FuzzedDataProvider input(data, size);
  // hald's room: any bytes; any share up to 1, or NaN (1 - placed shares).
  const auto room_bytes = input.ConsumeIntegral<uint64_t>();
  const double room_share = std::min(1.0, input.ConsumeFloatingPoint<double>());
  hal::kubernetes::SliceOptions options;
  options.slice_bytes = input.ConsumeIntegral<uint64_t>();
  // Mostly within [0, 1] (tiny shares included), else anything.
  options.slice_share = input.ConsumeBool() ? input.ConsumeProbability<double>()
                                            : input.ConsumeFloatingPoint<double>();
  options.max_slices = input.ConsumeIntegral<int>();
  const std::string device_id = input.ConsumeRandomLengthString();
  const std::string text = input.ConsumeRemainingBytesAsString();

  absl::StatusOr<std::set<int>> list = hal::kubernetes::ParseSliceSet(text);
  if (list.ok()) {
    absl::StatusOr<std::set<int>> again =
        hal::kubernetes::ParseSliceSet(hal::kubernetes::FormatSliceSet(*list));
    Require(again.ok() && *again == *list);
  } else {
    Require(list.status().code() == absl::StatusCode::kInvalidArgument);
  }

  absl::StatusOr<DeviceSlices> made = DeviceSlices::Make(device_id, room_bytes, room_share, options);
  if (made.ok()) {
    Require(made->count() >= 1 && made->count() <= hal::kubernetes::kMaxSlicesPerDevice);
    Require(made->slice_share() > 0 && made->slice_share() <= 1);
    ParseWith(*made, text);
  } else {
    Require(made.status().code() == (hal::kubernetes::ValidateSliceOptions(options).ok()
                                         ? absl::StatusCode::kFailedPrecondition
                                         : absl::StatusCode::kInvalidArgument));
  }
  // A device of 16 slices, and one of a single slice (the edges of the ranges).
  for (uint64_t bytes : {uint64_t{16} << 30, uint64_t{1} << 30}) {
    absl::StatusOr<DeviceSlices> slices =
        DeviceSlices::Make(device_id, bytes, 1.0, hal::kubernetes::SliceOptions{});
    Require(slices.ok());
    Require(slices->ParseSliceId(slices->SliceId(slices->count() - 1)).ok());
    ParseWith(*slices, text);
  }
  return 0;
}
