#include "backends/gpu_core/image_formats.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace hal::gpu {
namespace {

// Compute capabilities nvcc has targeted, as major * 10 + minor (CUDA 13
// renamed sm_101 to sm_110). Only real architectures: a cubin for sm_90a
// runs on sm_90 alone and is asked for by its exact name.
constexpr int kReleasedArchitectures[] = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87,
                                          88, 89, 90, 100, 101, 103, 110, 120, 121};

}  // namespace

std::string NvidiaKernelFormats(std::string_view architecture) {
  constexpr std::string_view kPrefix = "sm_";
  if (!architecture.starts_with(kPrefix) || architecture.size() < kPrefix.size() + 2) return "";
  const std::string_view digits = architecture.substr(kPrefix.size());
  int capability = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), capability);
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
