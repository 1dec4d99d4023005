// gemm_f32: C = alpha * A * B + beta * C, row-major, A is MxK, B is KxN.
// Workgroup (x, y) computes the 16x16 tile of C at column x*16, row y*16;
// K is walked in blocks so the tile's slices of A and B stay in cache.
// An element of C is skipped when A lacks its row, B its column or C the
// element itself: the kernel stays inside bindings smaller than M, N and K say.
#include <algorithm>

#include "kernels/cpu/elementwise.h"

namespace {
struct PushConstants {
  uint32_t m, n, k;
  float alpha, beta;
};
constexpr uint32_t kTile = 16;
constexpr uint32_t kBlockK = 64;

// The rows of A and the columns of B that their bindings hold whole.
struct Complete {
  uint64_t rows;
  uint64_t cols;
};

Complete CompleteRowsAndColumns(const hal_cpu_dispatch* d, const PushConstants& pc) {
  if (pc.k == 0) return {pc.m, pc.n};
  const uint64_t a = hal::kernels::BindingElements<float>(d, 0);
  const uint64_t b = hal::kernels::BindingElements<float>(d, 1);
  // Column j of B ends at element (k - 1) * n + j.
  const uint64_t b_before_last_row = uint64_t{pc.k - 1} * pc.n;
  return {std::min<uint64_t>(pc.m, a / pc.k),
          b > b_before_last_row ? std::min<uint64_t>(pc.n, b - b_before_last_row) : 0};
}
}  // namespace

HAL_CPU_KERNEL_SIGNATURE(gemm_f32, 3, sizeof(PushConstants), kTile, kTile, 1);

HAL_CPU_KERNEL(gemm_f32) {
  const auto pc = hal::kernels::LoadPushConstants<PushConstants>(dispatch);
  const float* __restrict a = static_cast<const float*>(dispatch->bindings[0]);
  const float* __restrict b = static_cast<const float*>(dispatch->bindings[1]);
  float* __restrict c = static_cast<float*>(dispatch->bindings[2]);
  const Complete complete = CompleteRowsAndColumns(dispatch, pc);
  const uint64_t c_elements = hal::kernels::BindingElements<float>(dispatch, 2);
  const uint64_t col0 = uint64_t{dispatch->workgroup_id[0]} * kTile;
  const uint64_t row0 = uint64_t{dispatch->workgroup_id[1]} * kTile;
  if (row0 >= complete.rows || col0 >= complete.cols) return;
  const uint32_t rows = static_cast<uint32_t>(std::min<uint64_t>(kTile, complete.rows - row0));
  const uint32_t cols = static_cast<uint32_t>(std::min<uint64_t>(kTile, complete.cols - col0));

  float acc[kTile][kTile] = {};
  for (uint32_t k0 = 0; k0 < pc.k; k0 += kBlockK) {
    const uint32_t k1 = std::min(pc.k, k0 + kBlockK);
    for (uint32_t r = 0; r < rows; ++r) {
      const float* a_row = a + (row0 + r) * pc.k;
      for (uint32_t kk = k0; kk < k1; ++kk) {
        const float a_rk = a_row[kk];
        const float* b_row = b + uint64_t{kk} * pc.n + col0;
        for (uint32_t j = 0; j < cols; ++j) acc[r][j] += a_rk * b_row[j];
      }
    }
  }
  for (uint32_t r = 0; r < rows; ++r) {
    const uint64_t row_start = (row0 + r) * pc.n + col0;
    if (row_start >= c_elements) break;
    const uint32_t row_cols =
        static_cast<uint32_t>(std::min<uint64_t>(cols, c_elements - row_start));
    float* c_row = c + row_start;
    for (uint32_t j = 0; j < row_cols; ++j) {
      // beta == 0 must not read C: it may hold NaNs from uninitialized memory.
      c_row[j] = pc.alpha * acc[r][j] + (pc.beta == 0.0f ? 0.0f : pc.beta * c_row[j]);
    }
  }
}
