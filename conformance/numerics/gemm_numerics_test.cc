// GemmNumerics: gemm_f32 over shapes that break tiled kernels: 1x1x1, exactly
// one 16x16 tile, partial tiles on both edges (17x33x5), whole tiles
// (64x64x64, 256x128x64), 1xNx1 and Nx1x1 strips one element wide, and the
// empty shapes (M or N zero: nothing is written; K zero: C = beta*C).
// Checked against the double-precision reference with the bound
// gamma(K + 3) * (|alpha| * sum|a*b| + |beta * c|) per element
// (conformance/reference_kernels.h), and C's guard elements past M*N must come
// back unchanged.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/numerics/test_data.h"
#include "conformance/reference_kernels.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

constexpr size_t kGemmGuardElements = 64;
constexpr float kGemmGuard = -12345.0f;
// A strip's length: 4097 tiles, past every power of two a kernel might round to.
constexpr uint32_t kStrip = 65537;

struct GemmCase {
  uint32_t m, n, k;
  float alpha, beta;

  std::string Name() const { return absl::StrCat("m", m, "_n", n, "_k", k); }
};

std::vector<GemmCase> GemmCases() {
  return {{1, 1, 1, 1.0f, 0.0f},       {kGemmTile, kGemmTile, kGemmTile, 1.0f, 1.0f},
          {17, 33, 5, 1.5f, -0.5f},    {64, 64, 64, 0.75f, 0.25f},
          {256, 128, 64, -1.0f, 2.0f}, {1, kStrip, 1, 2.0f, 0.5f},
          {kStrip, 1, 1, 0.5f, -1.0f}, {0, 33, 5, 1.0f, 1.0f},
          {17, 0, 5, 1.0f, 1.0f},      {17, 33, 0, 2.0f, 0.5f}};
}

// A buffer needs at least one element; a kernel told of none reads none.
std::vector<float> AtLeastOne(std::vector<float> values) {
  if (values.empty()) values.push_back(kGemmGuard);
  return values;
}

class GemmNumerics : public DeviceCaseTest<GemmCase> {};

TEST_P(GemmNumerics, GemmF32) {
  const GemmCase& c = test_case();
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("gemm_f32"));
  const std::vector<float> a = HashFloats(size_t{c.m} * c.k, 6);
  const std::vector<float> b = HashFloats(size_t{c.k} * c.n, 7);
  const size_t count = size_t{c.m} * c.n;
  const std::vector<float> old_c =
      GuardedTail(HashFloats(count + kGemmGuardElements, 8), kGemmGuardElements, kGemmGuard);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a_buffer,
                               Upload<float>(device(), queue(), AtLeastOne(a)));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b_buffer,
                               Upload<float>(device(), queue(), AtLeastOne(b)));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> c_buffer,
                               Upload<float>(device(), queue(), old_c));
  const BufferBinding bindings[] = {{a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
  // At least one workgroup per dimension: a grid has no empty dimension, and
  // workgroups past M or N write nothing.
  const GridSize grid{std::max(WorkgroupsFor(c.n, kGemmTile), 1u),
                      std::max(WorkgroupsFor(c.m, kGemmTile), 1u), 1};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, grid, bindings, GemmF32Constants{c.m, c.n, c.k, c.alpha, c.beta}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *c_buffer, count + kGemmGuardElements));
  EXPECT_TRUE(MatchesReference(absl::MakeConstSpan(got).first(count),
                               GemmReference(c.m, c.n, c.k, c.alpha, c.beta, a, b,
                                             absl::MakeConstSpan(old_c).first(count))));
  EXPECT_TRUE(AllEqual<float>(absl::MakeConstSpan(got).subspan(count), kGemmGuard)) << "past M*N";
}

HAL_CTS_COVERS("GemmNumerics.GemmF32", {"stream_dispatch", "success"});

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(GemmNumerics, GemmCases());

}  // namespace
}  // namespace hal::cts
