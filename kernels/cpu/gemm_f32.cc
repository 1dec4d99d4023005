// gemm_f32: C = alpha * A * B + beta * C, row-major, A is MxK, B is KxN.
// Workgroup (x, y) computes the 16x16 tile of C at column x*16, row y*16;
// K is walked in blocks so the tile's slices of A and B stay in cache.
#include <algorithm>

#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  uint32_t m, n, k;
  float alpha, beta;
};
constexpr uint32_t kTile = 16;
constexpr uint32_t kBlockK = 64;
}  // namespace

HAL_CPU_KERNEL(gemm_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const float* __restrict a = static_cast<const float*>(dispatch->bindings[0]);
  const float* __restrict b = static_cast<const float*>(dispatch->bindings[1]);
  float* __restrict c = static_cast<float*>(dispatch->bindings[2]);
  const uint32_t col0 = dispatch->workgroup_id[0] * kTile;
  const uint32_t row0 = dispatch->workgroup_id[1] * kTile;
  if (row0 >= pc.m || col0 >= pc.n) return;
  const uint32_t rows = std::min(kTile, pc.m - row0);
  const uint32_t cols = std::min(kTile, pc.n - col0);

  float acc[kTile][kTile] = {};
  for (uint32_t k0 = 0; k0 < pc.k; k0 += kBlockK) {
    const uint32_t k1 = std::min(pc.k, k0 + kBlockK);
    for (uint32_t r = 0; r < rows; ++r) {
      const float* a_row = a + uint64_t{row0 + r} * pc.k;
      for (uint32_t kk = k0; kk < k1; ++kk) {
        const float a_rk = a_row[kk];
        const float* b_row = b + uint64_t{kk} * pc.n + col0;
        for (uint32_t j = 0; j < cols; ++j) acc[r][j] += a_rk * b_row[j];
      }
    }
  }
  for (uint32_t r = 0; r < rows; ++r) {
    float* c_row = c + uint64_t{row0 + r} * pc.n + col0;
    for (uint32_t j = 0; j < cols; ++j) {
      // beta == 0 must not read C: it may hold NaNs from uninitialized memory.
      c_row[j] = pc.alpha * acc[r][j] + (pc.beta == 0.0f ? 0.0f : pc.beta * c_row[j]);
    }
  }
}
