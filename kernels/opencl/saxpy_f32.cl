// saxpy_f32: y[i] = a * x[i] + y[i] for i < n (kernels/README.md).
#include "grid.h"

typedef struct {
  float a;
  uint n;
} SaxpyF32PushConstants;
HAL_EXPECT_SIZE(SaxpyF32PushConstants, 8);

__kernel __attribute__((reqd_work_group_size(256, 1, 1)))
void saxpy_f32(__global const float* restrict x, __global float* restrict y,
               SaxpyF32PushConstants pc) {
  const uint i = ElementIndex(256, pc.n);
  if (i < pc.n) y[i] = pc.a * x[i] + y[i];
}
