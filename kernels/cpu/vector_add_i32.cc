// vector_add_i32: c[i] = a[i] + b[i] for i < n, wrapping on overflow as
// every GPU does (computed in unsigned arithmetic, which C++ defines).
#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  uint32_t n;
};
}  // namespace

HAL_CPU_KERNEL_SIGNATURE(vector_add_i32, 3, sizeof(PushConstants), 256, 1, 1);

HAL_CPU_KERNEL(vector_add_i32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const uint64_t n = hal::kernels::ElementsInAllBindings<uint32_t>(dispatch, pc.n);
  const auto range = hal::kernels::WorkgroupRange(dispatch, n);
  const uint32_t* __restrict a = static_cast<const uint32_t*>(dispatch->bindings[0]);
  const uint32_t* __restrict b = static_cast<const uint32_t*>(dispatch->bindings[1]);
  uint32_t* __restrict c = static_cast<uint32_t*>(dispatch->bindings[2]);
  for (uint64_t i = range.begin; i < range.end; ++i) c[i] = a[i] + b[i];
}
