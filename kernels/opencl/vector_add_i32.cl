// vector_add_i32: c[i] = a[i] + b[i] for i < n, wrapping on overflow
// (computed in unsigned arithmetic, which OpenCL C defines; kernels/README.md).
#include "grid.h"

typedef struct {
  uint n;
} VectorAddI32PushConstants;
HAL_EXPECT_SIZE(VectorAddI32PushConstants, 4);

__kernel __attribute__((reqd_work_group_size(256, 1, 1)))
void vector_add_i32(__global const uint* restrict a, __global const uint* restrict b,
                    __global uint* restrict c, VectorAddI32PushConstants pc) {
  const uint i = ElementIndex(256, pc.n);
  if (i < pc.n) c[i] = a[i] + b[i];
}
