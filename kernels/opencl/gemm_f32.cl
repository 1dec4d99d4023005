// gemm_f32: C = alpha * A * B + beta * C, row-major, A is MxK, B is KxN
// (kernels/README.md). Workgroup (x, y) computes the 16x16 tile of C at column
// 16x, row 16y; A and B are staged through local memory 16 columns of K at a
// time, as in the GLSL and CUDA versions. beta == 0 does not read C (it may
// hold NaNs).
#include "grid.h"

typedef struct {
  uint m, n, k;
  float alpha, beta;
} GemmF32PushConstants;
HAL_EXPECT_SIZE(GemmF32PushConstants, 20);

__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void gemm_f32(__global const float* restrict a, __global const float* restrict b,
              __global float* restrict c, GemmF32PushConstants pc) {
  __local float a_tile[16][16];
  __local float b_tile[16][16];
  const uint tx = (uint)get_local_id(0);
  const uint ty = (uint)get_local_id(1);
  const uint col = (uint)get_group_id(0) * 16 + tx;
  const uint row = (uint)get_group_id(1) * 16 + ty;
  float acc = 0.0f;
  for (uint k0 = 0; k0 < pc.k; k0 += 16) {
    a_tile[ty][tx] = (row < pc.m && k0 + tx < pc.k) ? a[(ulong)row * pc.k + k0 + tx] : 0.0f;
    b_tile[ty][tx] = (col < pc.n && k0 + ty < pc.k) ? b[(ulong)(k0 + ty) * pc.n + col] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint kk = 0; kk < 16; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < pc.m && col < pc.n) {
    const ulong at = (ulong)row * pc.n + col;
    c[at] = pc.alpha * acc + (pc.beta == 0.0f ? 0.0f : pc.beta * c[at]);
  }
}
