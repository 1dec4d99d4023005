// fill_f32: out[i] = value for i < n.
#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  float value;
  uint32_t n;
};
}  // namespace

HAL_CPU_KERNEL_SIGNATURE(fill_f32, 1, sizeof(PushConstants), 256, 1, 1);

HAL_CPU_KERNEL(fill_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const uint64_t n = hal::kernels::ElementsInAllBindings<float>(dispatch, pc.n);
  const auto range = hal::kernels::WorkgroupRange(dispatch, n);
  float* __restrict out = static_cast<float*>(dispatch->bindings[0]);
  for (uint64_t i = range.begin; i < range.end; ++i) out[i] = pc.value;
}
