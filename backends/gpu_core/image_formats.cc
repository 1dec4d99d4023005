#include "backends/gpu_core/image_formats.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <iterator>
#include <vector>

namespace hal::gpu {
namespace {

// Compute capabilities nvcc has targeted, as major * 10 + minor (CUDA 13
// renamed sm_101 to sm_110). Only real architectures: a cubin for sm_90a
// runs on sm_90 alone and is asked for by its exact name.
constexpr int kReleasedArchitectures[] = {50, 52, 53, 60, 61,  62,  70,  72,  75,  80, 86,
                                          87, 88, 89, 90, 100, 101, 103, 110, 120, 121};

// The processor and the features of a well-formed AMD target ID.
bool SplitTargetId(std::string_view target_id, std::string_view* processor,
                   std::vector<std::string_view>* features) {
  const size_t colon = target_id.find(':');
  *processor = target_id.substr(0, colon);
  constexpr std::string_view kPrefix = "gfx";
  if (!processor->starts_with(kPrefix) || processor->size() == kPrefix.size()) return false;
  for (const char c : processor->substr(kPrefix.size())) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  std::string_view rest = colon == std::string_view::npos ? "" : target_id.substr(colon + 1);
  while (colon != std::string_view::npos) {
    const size_t next = rest.find(':');
    const std::string_view feature = rest.substr(0, next);
    if (feature.size() < 2 || (feature.back() != '+' && feature.back() != '-')) return false;
    features->push_back(feature);
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return true;
}

}  // namespace

std::string AmdProcessor(std::string_view target_id) {
  std::string_view processor;
  std::vector<std::string_view> features;
  return SplitTargetId(target_id, &processor, &features) ? std::string(processor) : "";
}

std::string AmdKernelFormats(std::string_view target_id) {
  std::string_view processor;
  std::vector<std::string_view> features;
  if (!SplitTargetId(target_id, &processor, &features) || features.size() > 8) return "";
  // Every subset of the device's feature settings, those naming more
  // features first, then by the target ID's order (bit n-1-i of a subset is
  // feature i, so a larger subset names earlier features).
  const uint32_t all = (1u << features.size()) - 1;
  std::vector<uint32_t> subsets;
  for (uint32_t mask = 0; mask <= all; ++mask) subsets.push_back(all - mask);
  std::stable_sort(subsets.begin(), subsets.end(),
                   [](uint32_t a, uint32_t b) { return std::popcount(a) > std::popcount(b); });
  std::string formats;
  for (const uint32_t subset : subsets) {
    formats += (formats.empty() ? "hsaco:" : ",hsaco:") + std::string(processor);
    for (size_t i = 0; i < features.size(); ++i) {
      if (subset & (1u << (features.size() - 1 - i))) formats += ":" + std::string(features[i]);
    }
  }
  return formats;
}

std::string NvidiaKernelFormats(std::string_view architecture) {
  constexpr std::string_view kPrefix = "sm_";
  if (!architecture.starts_with(kPrefix) || architecture.size() < kPrefix.size() + 2) return "";
  const std::string_view digits = architecture.substr(kPrefix.size());
  int capability = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), capability);
  if (error != std::errc() || end != digits.data() + digits.size()) return "";
  const int major = capability / 10;

  std::string formats = "cubin:sm_" + std::to_string(capability);
  for (auto it = std::rbegin(kReleasedArchitectures); it != std::rend(kReleasedArchitectures);
       ++it) {
    if (*it / 10 == major && *it < capability) formats += ",cubin:sm_" + std::to_string(*it);
  }
  return formats + ",ptx";
}

}  // namespace hal::gpu
