// fill_f32: out[i] = value for i < n (kernels/README.md).
#include "grid.cuh"

struct FillF32PushConstants {
  float value;
  uint32_t n;
};
static_assert(sizeof(FillF32PushConstants) == 8, "kernels/standard_kernels.json: fill_f32");

extern "C" __global__ void __launch_bounds__(256)
    fill_f32(float* __restrict__ out, FillF32PushConstants pc) {
  const uint32_t i = hal_kernels::ElementIndex<256>(pc.n);
  if (i < pc.n) out[i] = pc.value;
}
