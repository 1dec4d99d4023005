// fill_f32: out[i] = value for i < n (kernels/README.md).
#include "grid.h"

typedef struct {
  float value;
  uint n;
} FillF32PushConstants;
HAL_EXPECT_SIZE(FillF32PushConstants, 8);

__kernel __attribute__((reqd_work_group_size(256, 1, 1)))
void fill_f32(__global float* restrict out, FillF32PushConstants pc) {
  const uint i = ElementIndex(256, pc.n);
  if (i < pc.n) out[i] = pc.value;
}
