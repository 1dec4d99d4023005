// vector_add_i32: c[i] = a[i] + b[i] for i < n, wrapping on overflow
// (computed in unsigned arithmetic, which C++ defines; kernels/README.md).
#include "grid.cuh"

struct VectorAddI32PushConstants {
  uint32_t n;
};
static_assert(sizeof(VectorAddI32PushConstants) == 4,
              "kernels/standard_kernels.json: vector_add_i32");

extern "C" __global__ void __launch_bounds__(256)
    vector_add_i32(const uint32_t* __restrict__ a, const uint32_t* __restrict__ b,
                   uint32_t* __restrict__ c, VectorAddI32PushConstants pc) {
  const uint32_t i = hal_kernels::ElementIndex<256>(pc.n);
  if (i < pc.n) c[i] = a[i] + b[i];
}
