#include "integrations/kubernetes/slice_layout.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hal::kubernetes {
namespace {

bool IsLowerAlphaNumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A DNS subdomain (RFC 1123) as Kubernetes checks resource-name prefixes.
bool IsDnsSubdomain(absl::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (!IsLowerAlphaNumeric(text.front()) || !IsLowerAlphaNumeric(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return IsLowerAlphaNumeric(c) || c == '-' || c == '.'; });
}

// "vulkan:0" -> "vulkan-0": lower case, anything else than a letter or digit
// becomes '-' (a Kubernetes name, a CDI device name).
std::string ShortNameOf(absl::string_view device_id) {
  std::string name;
  for (char c : device_id) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name.push_back(IsLowerAlphaNumeric(lower) ? lower : '-');
  }
  return name;
}

}  // namespace

absl::Status ValidateSliceOptions(const SliceOptions& options) {
  if (options.slice_bytes == 0) {
    return absl::InvalidArgumentError("--slice-memory must be at least 1 byte");
  }
  if (!(options.slice_share >= 0.0 && options.slice_share <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--slice-share ", options.slice_share, " is outside [0, 1]"));
  }
  if (options.max_slices < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-slices ", options.max_slices, " is negative"));
  }
  if (!IsDnsSubdomain(options.resource_domain)) {
    return absl::InvalidArgumentError(absl::StrCat("--resource-domain \"", options.resource_domain,
                                                   "\" is not a DNS subdomain (a-z, 0-9, '-', "
                                                   "'.')"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DeviceSlices> DeviceSlices::Make(const std::string& device_id,
                                                uint64_t room_bytes, double room_share,
                                                const SliceOptions& options) {
  if (absl::Status valid = ValidateSliceOptions(options); !valid.ok()) return valid;
  uint64_t count = room_bytes / options.slice_bytes;
  count = std::min<uint64_t>(count, kMaxSlicesPerDevice);
  if (options.max_slices > 0) count = std::min<uint64_t>(count, options.max_slices);
  if (options.slice_share > 0.0) {
    // A hair of slack: shares summed in floating point must not pass the room.
    // Capped before the cast: a tiny share's quotient does not fit in 64 bits.
    const double by_share = room_share / options.slice_share + 1e-9;
    count = std::min<uint64_t>(count, static_cast<uint64_t>(std::min<double>(
                                          kMaxSlicesPerDevice, std::max(0.0, by_share))));
  }
  if (count == 0 || !(room_share > 0.0)) {  // NaN (hald's status) is no room
    return absl::FailedPreconditionError(absl::StrCat(
        "device ", device_id, " has room for ", room_bytes, " bytes and compute share ",
        room_share, ": not one slice of ", options.slice_bytes, " bytes fits"));
  }
  DeviceSlices slices;
  slices.device_id_ = device_id;
  slices.short_name_ = ShortNameOf(device_id);
  slices.resource_name_ = absl::StrCat(options.resource_domain, "/", slices.short_name_);
  slices.count_ = static_cast<int>(count);
  slices.slice_bytes_ = options.slice_bytes;
  // An even split, rounded down to millionths so that the slices' shares
  // summed by hald stay within the room.
  slices.slice_share_ =
      options.slice_share > 0.0
          ? options.slice_share
          : std::floor(std::min(1.0, room_share) / static_cast<double>(count) * 1e6) / 1e6;
  if (slices.slice_share_ <= 0.0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device ", device_id, ": compute share ", room_share, " left for ", count, " slices"));
  }
  return slices;
}

std::string DeviceSlices::SliceId(int index) const {
  return absl::StrCat(short_name_, "-s", index);
}

std::vector<std::string> DeviceSlices::SliceIds() const {
  std::vector<std::string> ids;
  for (int i = 0; i < count_; ++i) ids.push_back(SliceId(i));
  return ids;
}

absl::StatusOr<int> DeviceSlices::ParseSliceId(absl::string_view id) const {
  absl::string_view rest = id;
  int index = -1;
  if (!absl::ConsumePrefix(&rest, absl::StrCat(short_name_, "-s")) || rest.empty() ||
      !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(rest, &index) || index >= count_) {
    return absl::InvalidArgumentError(absl::StrCat("\"", id, "\" is no device of resource ",
                                                   resource_name_, " (", short_name_, "-s0 to ",
                                                   short_name_, "-s", count_ - 1, ")"));
  }
  return index;
}

double DeviceSlices::ComputeShareOf(int slices) const {
  return std::min(1.0, slice_share_ * static_cast<double>(slices));
}

std::string DeviceSlices::VirtualDeviceName(const std::set<int>& slices) const {
  return absl::StrCat("k8s-", SliceId(*slices.begin()));
}

std::string DeviceSlices::OwnerOf(const std::set<int>& slices) const {
  return absl::StrCat("kubernetes ", resource_name_, " slices ", FormatSliceSet(slices));
}

absl::StatusOr<std::set<int>> DeviceSlices::SlicesOfOwner(absl::string_view owner) const {
  absl::string_view rest = owner;
  if (!absl::ConsumePrefix(&rest, absl::StrCat("kubernetes ", resource_name_, " slices "))) {
    return absl::NotFoundError(
        absl::StrCat("owner \"", owner, "\" is not of resource ", resource_name_));
  }
  auto slices = ParseSliceSet(rest);
  if (!slices.ok()) return slices.status();
  if (slices->empty() || *slices->rbegin() >= count_) {
    return absl::InvalidArgumentError(absl::StrCat("owner \"", owner, "\" names no slices of the ",
                                                   count_, " of ", resource_name_));
  }
  return slices;
}

std::string FormatSliceSet(const std::set<int>& slices) {
  std::vector<std::string> ranges;
  for (auto it = slices.begin(); it != slices.end();) {
    const int first = *it;
    int last = first;
    for (++it; it != slices.end() && *it == last + 1; ++it) last = *it;
    ranges.push_back(first == last ? absl::StrCat(first) : absl::StrCat(first, "-", last));
  }
  return absl::StrJoin(ranges, ",");
}

absl::StatusOr<std::set<int>> ParseSliceSet(absl::string_view text) {
  std::set<int> slices;
  if (text.empty()) return slices;
  auto number = [](absl::string_view digits, int* value) {
    return !digits.empty() &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
           absl::SimpleAtoi(digits, value) && *value < kMaxSlicesPerDevice;
  };
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> bounds = absl::StrSplit(item, absl::MaxSplits('-', 1));
    int first = 0;
    int last = 0;
    const bool parsed = number(bounds[0], &first) &&
                        (bounds.size() == 1 ? (last = first, true) : number(bounds[1], &last));
    if (!parsed || last < first) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", text, "\" is no slice list (\"3-5,9\"): bad item \"", item, "\""));
    }
    for (int i = first; i <= last; ++i) slices.insert(i);
  }
  return slices;
}

}  // namespace hal::kubernetes
