// saxpy_f32: y[i] = a * x[i] + y[i] for i < n.
#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  float a;
  uint32_t n;
};
}  // namespace

HAL_CPU_KERNEL_SIGNATURE(saxpy_f32, 2, sizeof(PushConstants), 256, 1, 1);

HAL_CPU_KERNEL(saxpy_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const uint64_t n = hal::kernels::ElementsInAllBindings<float>(dispatch, pc.n);
  const auto range = hal::kernels::WorkgroupRange(dispatch, n);
  const float* __restrict x = static_cast<const float*>(dispatch->bindings[0]);
  float* __restrict y = static_cast<float*>(dispatch->bindings[1]);
  for (uint64_t i = range.begin; i < range.end; ++i) y[i] = pc.a * x[i] + y[i];
}
