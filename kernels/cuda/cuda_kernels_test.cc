// The standard CUDA kernels, run on the host (host_emulation.h), compute what
// kernels/README.md says, with the GLSL versions' bounds: elements below n
// only, workgroups numbered linearly over 2-D and 3-D grids, workgroups past
// the end doing nothing, reduce_sum_f32's partials for w < ceil(n / epw) only,
// gemm_f32 over sizes that are not multiples of its tile and not reading C
// when beta is 0. Inputs are small integers, so every float result is exact
// whatever the order of the additions.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cuda/host_emulation.h"
#include "kernels/kernel_test_data.h"
// After the emulation, which defines the CUDA keywords they use.
#include "kernels/cuda/fill_f32.cu"
#include "kernels/cuda/gemm_f32.cu"
#include "kernels/cuda/noop.cu"
#include "kernels/cuda/reduce_sum_f32.cu"
#include "kernels/cuda/saxpy_f32.cu"
#include "kernels/cuda/vector_add_i32.cu"

namespace hal::kernels::testing {
namespace {

constexpr dim3 kRow{256, 1, 1};

TEST(CudaKernels, FillF32WritesTheElementsBelowNOverA2DGrid) {
  const uint32_t n = 1300;  // 6 workgroups, the last partial
  std::vector<float> out = WithSentinels(n, 0.0f);
  Launch(fill_f32, {3, 2, 1}, kRow, out.data(), FillF32PushConstants{2.5f, n});
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 2.5f) << "element " << i;
  ExpectSentinelsAfter(out, n);
}

TEST(CudaKernels, FillF32WorkgroupsPastTheEndOfA3DGridDoNothing) {
  const uint32_t n = 1900;  // 8 workgroups needed, 12 dispatched
  std::vector<float> out = WithSentinels(n, 0.0f);
  Launch(fill_f32, {2, 2, 3}, kRow, out.data(), FillF32PushConstants{-1.0f, n});
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], -1.0f) << "element " << i;
  ExpectSentinelsAfter(out, n);
}

// A 3-D grid whose workgroups each cover their own elements once: a
// numbering that ignored y or z would update some elements twice.
TEST(CudaKernels, SaxpyF32ComputesAxPlusYBelowNOnceEach) {
  const uint32_t n = 600;
  std::vector<float> x(n + 256);
  std::vector<float> y = WithSentinels(n, 0.0f);
  for (uint32_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i % 17);
    y[i] = static_cast<float>(i % 5);
  }
  Launch(saxpy_f32, {1, 2, 2}, kRow, x.data(), y.data(), SaxpyF32PushConstants{3.0f, n});
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(y[i], 3.0f * static_cast<float>(i % 17) + static_cast<float>(i % 5))
        << "element " << i;
  }
  ExpectSentinelsAfter(y, n);
}

TEST(CudaKernels, VectorAddI32WrapsOnOverflow) {
  const uint32_t n = 300;
  std::vector<uint32_t> a(n, 0x7FFFFFFFu);
  std::vector<uint32_t> b(n, 1);
  std::vector<uint32_t> c(n + 256, 7);
  b[1] = 0x80000001u;  // -2147483647: the sum is 0
  Launch(vector_add_i32, {2, 1, 1}, kRow, a.data(), b.data(), c.data(),
         VectorAddI32PushConstants{n});
  EXPECT_EQ(c[0], 0x80000000u);  // INT_MAX + 1 wraps to INT_MIN
  EXPECT_EQ(c[1], 0u);
  for (uint32_t i = 2; i < n; ++i) ASSERT_EQ(c[i], 0x80000000u) << "element " << i;
  for (size_t i = n; i < c.size(); ++i) ASSERT_EQ(c[i], 7u) << "element " << i;
}

TEST(CudaKernels, ReduceSumF32WritesOnePartialPerWorkgroupBelowCeilNOverEpw) {
  const uint32_t n = 1000;
  const uint32_t epw = 300;  // partials of 300, 300, 300 and 100 elements
  std::vector<float> in(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = static_cast<float>(i % 7);
  std::vector<float> out(8, kSentinel);
  Launch(reduce_sum_f32, {3, 2, 1}, kRow, in.data(), out.data(),
         ReduceSumF32PushConstants{n, epw});  // 6 workgroups, 4 partials
  for (uint32_t w = 0; w < 4; ++w) {
    float expected = 0;
    for (uint32_t i = w * epw; i < std::min(n, (w + 1) * epw); ++i) expected += in[i];
    EXPECT_EQ(out[w], expected) << "partial " << w;
  }
  for (uint32_t w = 4; w < out.size(); ++w) EXPECT_EQ(out[w], kSentinel) << "partial " << w;
}

TEST(CudaKernels, ReduceSumF32WithZeroElementsPerWorkgroupWritesNothing) {
  std::vector<float> in(256, 1.0f);
  std::vector<float> out(2, kSentinel);
  Launch(reduce_sum_f32, {2, 1, 1}, kRow, in.data(), out.data(), ReduceSumF32PushConstants{256, 0});
  EXPECT_EQ(out[0], kSentinel);
  EXPECT_EQ(out[1], kSentinel);
}

TEST(CudaKernels, GemmF32WithBetaZeroDoesNotReadC) {
  GemmCase g = SmallGemm(std::numeric_limits<float>::quiet_NaN());
  const GemmCase inputs = g;
  Launch(gemm_f32, {2, 2, 1}, {16, 16, 1}, g.a.data(), g.b.data(), g.c.data(),
         GemmF32PushConstants{g.m, g.n, g.k, 2.0f, 0.0f});
  for (uint32_t row = 0; row < g.m; ++row) {
    for (uint32_t col = 0; col < g.n; ++col) {
      ASSERT_EQ(g.c[row * g.n + col], 2.0f * Product(inputs, row, col)) << row << "," << col;
    }
  }
}

TEST(CudaKernels, GemmF32ScalesCByBeta) {
  GemmCase g = SmallGemm(3.0f);
  const GemmCase inputs = g;
  Launch(gemm_f32, {2, 2, 1}, {16, 16, 1}, g.a.data(), g.b.data(), g.c.data(),
         GemmF32PushConstants{g.m, g.n, g.k, 1.0f, -1.0f});
  for (uint32_t row = 0; row < g.m; ++row) {
    for (uint32_t col = 0; col < g.n; ++col) {
      ASSERT_EQ(g.c[row * g.n + col], Product(inputs, row, col) - 3.0f) << row << "," << col;
    }
  }
}

TEST(CudaKernels, NoopRuns) { Launch(noop, {2, 1, 1}, {1, 1, 1}); }

}  // namespace
}  // namespace hal::kernels::testing
