// reduce_sum_f32: out[w] = sum of in[w * epw, min(n, (w + 1) * epw)), one
// partial sum per workgroup w < ceil(n / epw) (epw = elements_per_workgroup,
// w the linear workgroup index); later workgroups of the grid do nothing. The
// caller sums the partials, or dispatches again over them. Elements past the
// end of `in` count as absent; a partial past the end of `out` is not written.
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

HAL_CPU_KERNEL_SIGNATURE(reduce_sum_f32, 2, sizeof(PushConstants), 256, 1, 1);

HAL_CPU_KERNEL(reduce_sum_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const uint64_t w = hal::kernels::LinearWorkgroup(dispatch);
  const uint64_t epw = pc.elements_per_workgroup;
  if (epw == 0 || w * epw >= pc.n || w >= hal::kernels::BindingElements<float>(dispatch, 1)) {
    return;
  }
  const uint64_t n = std::min<uint64_t>(pc.n, hal::kernels::BindingElements<float>(dispatch, 0));
  const uint64_t begin = std::min(w * epw, n);
  const uint64_t end = std::min(begin + epw, n);
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
