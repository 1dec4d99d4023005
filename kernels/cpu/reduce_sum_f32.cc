// reduce_sum_f32: out[w] = sum of in[w * epw, min(n, (w + 1) * epw)), one
// partial sum per workgroup w (epw = elements_per_workgroup). The caller sums
// the partials, or dispatches again over them.
//
// Accuracy: eight independent float accumulators (pairwise in effect, and
// vectorizable) keep the error near that of a GPU tree reduction; the CTS
// bounds it by the worst case of summation in any order
// (conformance/reference_kernels.h).
#include <algorithm>

#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  uint32_t n;
  uint32_t elements_per_workgroup;
};
constexpr int kLanes = 8;
}  // namespace

HAL_CPU_KERNEL(reduce_sum_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const uint64_t w = dispatch->workgroup_id[0];
  const uint64_t begin = std::min<uint64_t>(w * pc.elements_per_workgroup, pc.n);
  const uint64_t end = std::min<uint64_t>(begin + pc.elements_per_workgroup, pc.n);
  const float* __restrict in = static_cast<const float*>(dispatch->bindings[0]);
  float* __restrict out = static_cast<float*>(dispatch->bindings[1]);
  float lanes[kLanes] = {};
  uint64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += in[i + l];
  }
  for (; i < end; ++i) lanes[0] += in[i];
  for (int width = kLanes / 2; width > 0; width /= 2) {
    for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  }
  out[w] = lanes[0];
}
