// gemm_f32: C = alpha * A * B + beta * C, row-major, A is MxK, B is KxN
// (kernels/README.md). Workgroup (x, y) computes the 16x16 tile of C at column
// 16x, row 16y; A and B are staged through shared memory 16 columns of K at a
// time, as in the GLSL version. beta == 0 does not read C (it may hold NaNs).
#include "grid.cuh"

struct GemmF32PushConstants {
  uint32_t m, n, k;
  float alpha, beta;
};
static_assert(sizeof(GemmF32PushConstants) == 20, "kernels/standard_kernels.json: gemm_f32");

extern "C" __global__ void __launch_bounds__(256)
    gemm_f32(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
             GemmF32PushConstants pc) {
  constexpr uint32_t kTile = 16;
  __shared__ float a_tile[kTile][kTile];
  __shared__ float b_tile[kTile][kTile];
  const uint32_t tx = threadIdx.x;
  const uint32_t ty = threadIdx.y;
  const uint32_t col = blockIdx.x * kTile + tx;
  const uint32_t row = blockIdx.y * kTile + ty;
  float acc = 0.0f;
  for (uint32_t k0 = 0; k0 < pc.k; k0 += kTile) {
    a_tile[ty][tx] = (row < pc.m && k0 + tx < pc.k) ? a[uint64_t{row} * pc.k + k0 + tx] : 0.0f;
    b_tile[ty][tx] = (col < pc.n && k0 + ty < pc.k) ? b[uint64_t{k0 + ty} * pc.n + col] : 0.0f;
    __syncthreads();
    for (uint32_t kk = 0; kk < kTile; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    __syncthreads();
  }
  if (row < pc.m && col < pc.n) {
    const uint64_t at = uint64_t{row} * pc.n + col;
    c[at] = pc.alpha * acc + (pc.beta == 0.0f ? 0.0f : pc.beta * c[at]);
  }
}
