// Inputs and checks the tests of the standard kernels in each language share
// (kernels/cuda/cuda_kernels_test.cc on the host, kernels/opencl/
// opencl_kernels_test.cc on pocl): sentinels past n that a kernel must not
// touch, and a small gemm whose size is not a multiple of the 16x16 tile.
// Inputs are small integers, so float results are exact whatever the order
// of the additions.
#ifndef HAL_KERNELS_KERNEL_TEST_DATA_H_
#define HAL_KERNELS_KERNEL_TEST_DATA_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace hal::kernels::testing {

inline constexpr float kSentinel = -12345.0f;

// n elements, then a workgroup's worth of sentinels a kernel must not touch.
inline std::vector<float> WithSentinels(uint32_t n, float value) {
  std::vector<float> data(n + 256, kSentinel);
  std::fill(data.begin(), data.begin() + n, value);
  return data;
}

inline void ExpectSentinelsAfter(const std::vector<float>& data, uint32_t n) {
  for (size_t i = n; i < data.size(); ++i) ASSERT_EQ(data[i], kSentinel) << "element " << i;
}

struct GemmCase {
  uint32_t m, n, k;
  std::vector<float> a, b, c;
};

// Integer matrices of a size that is not a multiple of the 16x16 tile.
inline GemmCase SmallGemm(float c_value) {
  GemmCase g{20, 18, 17, {}, {}, {}};
  for (uint32_t i = 0; i < g.m * g.k; ++i) g.a.push_back(static_cast<float>(i % 5) - 2.0f);
  for (uint32_t i = 0; i < g.k * g.n; ++i) g.b.push_back(static_cast<float>(i % 3));
  g.c.assign(g.m * g.n, c_value);
  return g;
}

// Element (row, col) of A * B.
inline float Product(const GemmCase& g, uint32_t row, uint32_t col) {
  float sum = 0;
  for (uint32_t kk = 0; kk < g.k; ++kk) sum += g.a[row * g.k + kk] * g.b[kk * g.n + col];
  return sum;
}

}  // namespace hal::kernels::testing

#endif  // HAL_KERNELS_KERNEL_TEST_DATA_H_
