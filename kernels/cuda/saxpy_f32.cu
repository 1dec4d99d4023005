// saxpy_f32: y[i] = a * x[i] + y[i] for i < n (kernels/README.md).
#include "grid.cuh"

struct SaxpyF32PushConstants {
  float a;
  uint32_t n;
};
static_assert(sizeof(SaxpyF32PushConstants) == 8, "kernels/standard_kernels.json: saxpy_f32");

extern "C" __global__ void __launch_bounds__(256)
    saxpy_f32(const float* __restrict__ x, float* __restrict__ y, SaxpyF32PushConstants pc) {
  const uint32_t i = hal_kernels::ElementIndex<256>(pc.n);
  if (i < pc.n) y[i] = pc.a * x[i] + y[i];
}
