#include "integrations/slurm/vd_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace hal::slurm {
namespace {

absl::Status PairError(absl::string_view pair, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("hal-vd \"", pair, "\": ", what));
}

// Digits, then an optional binary suffix. Integers only: a quota is bytes.
absl::StatusOr<uint64_t> ParseSize(absl::string_view pair, absl::string_view text) {
  struct Suffix {
    absl::string_view name;
    int shift;
  };
  static constexpr Suffix kSuffixes[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40},
                                         {"K", 10},   {"M", 20},   {"G", 30},   {"T", 40}};
  int shift = 0;
  absl::string_view digits = text;
  for (const Suffix& suffix : kSuffixes) {
    if (absl::EndsWith(text, suffix.name)) {
      shift = suffix.shift;
      digits.remove_suffix(suffix.name.size());
      break;
    }
  }
  uint64_t count = 0;
  const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
  if (!all_digits || !absl::SimpleAtoi(digits, &count)) {
    return PairError(pair, "mem must be a whole number of bytes, optionally with a suffix "
                           "K, M, G, T (or KiB, MiB, GiB, TiB), e.g. mem=4GiB");
  }
  if (count == 0) return PairError(pair, "mem must be at least 1 byte");
  if (count > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return PairError(pair, "mem is 2^64 bytes or more");
  }
  return count << shift;
}

absl::StatusOr<double> ParseShare(absl::string_view pair, absl::string_view text) {
  double share = 0;
  if (!absl::SimpleAtod(text, &share) || !std::isfinite(share) || share <= 0 || share > 1) {
    return PairError(pair, "share must be a number in (0, 1], e.g. share=0.5");
  }
  return share;
}

absl::StatusOr<int32_t> ParsePriority(absl::string_view pair, absl::string_view text) {
  int32_t priority = 0;
  if (!absl::SimpleAtoi(text, &priority)) {
    return PairError(pair, "priority must be a whole number that fits in 32 bits");
  }
  return priority;
}

// One KEY=VALUE pair applied to `request`.
absl::Status ApplyPair(absl::string_view pair, absl::string_view key, absl::string_view value,
                       remote::VirtualDeviceRequest& request) {
  if (key == "mem") {
    absl::StatusOr<uint64_t> bytes = ParseSize(pair, value);
    if (!bytes.ok()) return bytes.status();
    request.memory_quota = *bytes;
  } else if (key == "share") {
    absl::StatusOr<double> share = ParseShare(pair, value);
    if (!share.ok()) return share.status();
    request.compute_share = *share;
  } else if (key == "priority") {
    absl::StatusOr<int32_t> priority = ParsePriority(pair, value);
    if (!priority.ok()) return priority.status();
    request.priority = *priority;
  } else if (key == "vendor") {
    request.require_vendor = std::string(value);
  } else if (key == "prefer") {
    request.prefer_vendor = std::string(value);
  } else if (key == "format") {
    request.require_format = std::string(value);
  } else if (key == "device") {
    request.require_device = std::string(value);
  } else {
    return PairError(pair, absl::StrCat("unknown key \"", key,
                                        "\"; the keys are mem, share, vendor, prefer, format, "
                                        "device, priority"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyVirtualDeviceSpec(absl::string_view spec, remote::VirtualDeviceRequest& request) {
  remote::VirtualDeviceRequest updated = request;
  std::set<std::string, std::less<>> seen;
  for (absl::string_view pair : absl::StrSplit(spec, ',')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) {
      return PairError(pair, "expected KEY=VALUE, e.g. mem=4GiB");
    }
    const absl::string_view key = pair.substr(0, equals);
    const absl::string_view value = pair.substr(equals + 1);
    if (value.empty()) return PairError(pair, "the value is empty");
    if (!seen.insert(std::string(key)).second) {
      return PairError(pair, absl::StrCat("key \"", key, "\" is given twice"));
    }
    if (absl::Status applied = ApplyPair(pair, key, value, updated); !applied.ok()) return applied;
  }
  request = std::move(updated);
  return absl::OkStatus();
}

absl::StatusOr<remote::VirtualDeviceRequest> ParseVirtualDeviceSpec(
    absl::string_view spec, const remote::VirtualDeviceRequest& defaults) {
  remote::VirtualDeviceRequest request = defaults;
  if (absl::Status applied = ApplyVirtualDeviceSpec(spec, request); !applied.ok()) return applied;
  if (request.memory_quota == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hal-vd \"", spec, "\": mem= is required (the virtual device's memory "
                                        "quota), e.g. mem=4GiB"));
  }
  return request;
}

}  // namespace hal::slurm
