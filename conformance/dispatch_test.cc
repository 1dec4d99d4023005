// Dispatch: each kernel of the standard set, run on the device, against a
// double-precision CPU reference (conformance/reference_kernels.h gives the
// tolerance and why). Sizes are chosen so that grids end with a partial
// workgroup, and buffers are larger than the data so that a write past the
// end of the range shows.
#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/reference_kernels.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class Dispatch : public DeviceTest {};

// Elements kept past the end of every range, set to kDispatchGuard.
constexpr size_t kDispatchGuardElements = 300;
constexpr float kDispatchGuard = -12345.0f;

constexpr uint32_t kElementCounts[] = {1, 255, 256, 257, 100003};

template <typename T>
std::vector<T> WithGuard(std::vector<T> values, T guard) {
  values.resize(values.size() + kDispatchGuardElements, guard);
  return values;
}

template <typename T>
::testing::AssertionResult GuardIntact(absl::Span<const T> tail, T guard) {
  for (size_t i = 0; i < tail.size(); ++i) {
    if (tail[i] != guard) {
      return ::testing::AssertionFailure()
             << "element " << i << " past the end of the range was overwritten";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST_P(Dispatch, StandardKernelsHaveTheDocumentedSignatures) {
  struct Signature {
    const char* name;
    uint32_t bindings, push_constant_size;
    std::array<uint32_t, 3> workgroup_size;
  };
  for (const Signature& expected :
       {Signature{"fill_f32", 1, sizeof(FillF32Constants), {256, 1, 1}},
        Signature{"saxpy_f32", 2, sizeof(SaxpyF32Constants), {256, 1, 1}},
        Signature{"reduce_sum_f32", 2, sizeof(ReduceSumF32Constants), {256, 1, 1}},
        Signature{"gemm_f32", 3, sizeof(GemmF32Constants), {kGemmTile, kGemmTile, 1}},
        Signature{"vector_add_i32", 3, sizeof(VectorAddI32Constants), {256, 1, 1}},
        Signature{"noop", 0, 0, {1, 1, 1}}}) {
    SCOPED_TRACE(expected.name);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel(expected.name));
    EXPECT_EQ(kernel->name(), expected.name);
    EXPECT_EQ(kernel->binding_count(), expected.bindings);
    EXPECT_EQ(kernel->push_constant_size(), expected.push_constant_size);
    EXPECT_EQ(kernel->workgroup_size(), expected.workgroup_size);
    EXPECT_THAT(properties().kernel_formats, ::testing::Contains(kernel->image_format()));
  }
}

HAL_CTS_COVERS("Dispatch.FillF32", {"module_load", "success"}, {"kernel_get", "success"},
               {"stream_dispatch", "success"});
TEST_P(Dispatch, FillF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("fill_f32"));
  for (uint32_t n : kElementCounts) {
    SCOPED_TRACE(::testing::Message() << "n " << n);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::shared_ptr<Buffer> out,
        Upload<float>(device(), queue(), WithGuard(std::vector<float>(n, 0.0f), kDispatchGuard)));
    const BufferBinding bindings[] = {{out.get(), 0}};
    HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, {WorkgroupsFor(n, kElementwiseWorkgroupSize)},
                                       bindings, FillF32Constants{3.25f, n}));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                                 Download<float>(queue(), *out, n + kDispatchGuardElements));
    for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(got[i], 3.25f) << "element " << i;
    EXPECT_TRUE(GuardIntact<float>(absl::MakeConstSpan(got).subspan(n), kDispatchGuard));
  }
}

TEST_P(Dispatch, SaxpyF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("saxpy_f32"));
  constexpr float kA = 1.75f;
  for (uint32_t n : kElementCounts) {
    SCOPED_TRACE(::testing::Message() << "n " << n);
    const std::vector<float> x = RandomFloats(n, 1);
    const std::vector<float> y = RandomFloats(n, 2);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> x_buffer,
                                 Upload<float>(device(), queue(), x));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> y_buffer,
                                 Upload<float>(device(), queue(), WithGuard(y, kDispatchGuard)));
    const BufferBinding bindings[] = {{x_buffer.get(), 0}, {y_buffer.get(), 0}};
    HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, {WorkgroupsFor(n, kElementwiseWorkgroupSize)},
                                       bindings, SaxpyF32Constants{kA, n}));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                                 Download<float>(queue(), *y_buffer, n + kDispatchGuardElements));
    const absl::Span<const float> result = absl::MakeConstSpan(got).first(n);
    EXPECT_TRUE(MatchesReference(result, SaxpyReference(kA, x, y)));
    EXPECT_TRUE(GuardIntact<float>(absl::MakeConstSpan(got).subspan(n), kDispatchGuard));
  }
}

TEST_P(Dispatch, ReduceSumF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("reduce_sum_f32"));
  struct Case {
    uint32_t n, elements_per_workgroup;
  };
  for (const Case& c : {Case{1, 256}, Case{256, 256}, Case{4097, 256}, Case{100003, 4096},
                        Case{1000003, 4096}, Case{5000, 1000}}) {
    SCOPED_TRACE(::testing::Message()
                 << "n " << c.n << ", elements per workgroup " << c.elements_per_workgroup);
    const std::vector<float> in = RandomFloats(c.n, 3);
    const uint32_t workgroups = WorkgroupsFor(c.n, c.elements_per_workgroup);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> in_buffer,
                                 Upload<float>(device(), queue(), in));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::shared_ptr<Buffer> partials,
        Upload<float>(device(), queue(),
                      WithGuard(std::vector<float>(workgroups), kDispatchGuard)));
    const BufferBinding bindings[] = {{in_buffer.get(), 0}, {partials.get(), 0}};
    HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, {workgroups}, bindings,
                                       ReduceSumF32Constants{c.n, c.elements_per_workgroup}));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::vector<float> got,
        Download<float>(queue(), *partials, workgroups + kDispatchGuardElements));
    const Reference reference = ReducePartialsReference(in, c.elements_per_workgroup);
    EXPECT_TRUE(MatchesReference(absl::MakeConstSpan(got).first(workgroups), reference));
    EXPECT_TRUE(GuardIntact<float>(absl::MakeConstSpan(got).subspan(workgroups), kDispatchGuard));

    // The partials summed on the host: the total is within the sum of the
    // partials' bounds.
    double total = 0.0, reference_total = 0.0, bound = 0.0;
    for (uint32_t w = 0; w < workgroups; ++w) {
      total += got[w];
      reference_total += reference.values[w];
      bound += reference.magnitudes[w];
    }
    bound *= static_cast<double>(reference.terms) * 0x1p-24 * 1.0001;
    EXPECT_NEAR(total, reference_total, bound);
  }
}

TEST_P(Dispatch, GemmF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("gemm_f32"));
  struct Case {
    uint32_t m, n, k;
    float alpha, beta;
  };
  // Odd sizes leave partial tiles on both edges; 128^3 is whole tiles.
  for (const Case& c :
       {Case{1, 1, 1, 1.0f, 0.0f}, Case{37, 53, 29, 1.5f, -0.5f}, Case{16, 16, 16, 1.0f, 1.0f},
        Case{128, 128, 128, 0.75f, 0.25f}, Case{5, 130, 70, -1.0f, 2.0f}}) {
    SCOPED_TRACE(::testing::Message() << c.m << "x" << c.n << "x" << c.k << ", alpha " << c.alpha
                                      << ", beta " << c.beta);
    const std::vector<float> a = RandomFloats(size_t{c.m} * c.k, 4);
    const std::vector<float> b = RandomFloats(size_t{c.k} * c.n, 5);
    const std::vector<float> old_c = RandomFloats(size_t{c.m} * c.n, 6);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a_buffer,
                                 Upload<float>(device(), queue(), a));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b_buffer,
                                 Upload<float>(device(), queue(), b));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::shared_ptr<Buffer> c_buffer,
        Upload<float>(device(), queue(), WithGuard(old_c, kDispatchGuard)));
    const BufferBinding bindings[] = {
        {a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
    const GridSize grid{WorkgroupsFor(c.n, kGemmTile), WorkgroupsFor(c.m, kGemmTile), 1};
    HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, grid, bindings,
                                       GemmF32Constants{c.m, c.n, c.k, c.alpha, c.beta}));
    const size_t count = size_t{c.m} * c.n;
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::vector<float> got,
        Download<float>(queue(), *c_buffer, count + kDispatchGuardElements));
    EXPECT_TRUE(MatchesReference(absl::MakeConstSpan(got).first(count),
                                 GemmReference(c.m, c.n, c.k, c.alpha, c.beta, a, b, old_c)));
    EXPECT_TRUE(GuardIntact<float>(absl::MakeConstSpan(got).subspan(count), kDispatchGuard));
  }
}

// As in BLAS, beta == 0 means C is not read: C may hold anything, NaN
// included (memory fresh from an allocation).
TEST_P(Dispatch, GemmF32WithBetaZeroIgnoresOldC) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("gemm_f32"));
  constexpr uint32_t kM = 37, kN = 53, kK = 29;
  const std::vector<float> a = RandomFloats(size_t{kM} * kK, 7);
  const std::vector<float> b = RandomFloats(size_t{kK} * kN, 8);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a_buffer,
                               Upload<float>(device(), queue(), a));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b_buffer,
                               Upload<float>(device(), queue(), b));
  const size_t count = size_t{kM} * kN;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> c_buffer,
                               device().Allocate(count * sizeof(float)));
  HAL_CTS_ASSERT_OK(queue().Fill(*c_buffer, 0, count * sizeof(float), 0x7FC00000u));  // NaN
  const BufferBinding bindings[] = {{a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
  const GridSize grid{WorkgroupsFor(kN, kGemmTile), WorkgroupsFor(kM, kGemmTile), 1};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, grid, bindings, GemmF32Constants{kM, kN, kK, 2.0f, 0.0f}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got, Download<float>(queue(), *c_buffer, count));
  EXPECT_TRUE(MatchesReference(
      got, GemmReference(kM, kN, kK, 2.0f, 0.0f, a, b, std::vector<float>(count, 0.0f))));
}

TEST_P(Dispatch, VectorAddI32WrapsOnOverflow) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("vector_add_i32"));
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kGuardInt = 0x5EEDBEEF;
  for (uint32_t n : kElementCounts) {
    SCOPED_TRACE(::testing::Message() << "n " << n);
    std::vector<int32_t> a = RandomInts(n, 7);
    std::vector<int32_t> b = RandomInts(n, 8);
    // Overflow in both directions, and the identities around them.
    const std::pair<int32_t, int32_t> edges[] = {
        {kMax, 1}, {kMin, -1}, {kMax, kMax}, {kMin, kMin}, {kMax, kMin}, {-1, 1}, {0, 0}};
    for (size_t i = 0; i < std::size(edges) && i < n; ++i) std::tie(a[i], b[i]) = edges[i];
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a_buffer,
                                 Upload<int32_t>(device(), queue(), a));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b_buffer,
                                 Upload<int32_t>(device(), queue(), b));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        std::shared_ptr<Buffer> c_buffer,
        Upload<int32_t>(device(), queue(), WithGuard(std::vector<int32_t>(n), kGuardInt)));
    const BufferBinding bindings[] = {
        {a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
    HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, {WorkgroupsFor(n, kElementwiseWorkgroupSize)},
                                       bindings, VectorAddI32Constants{n}));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<int32_t> got,
                                 Download<int32_t>(queue(), *c_buffer, n + kDispatchGuardElements));
    const std::vector<int32_t> expected = VectorAddReference(a, b);
    for (uint32_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i], expected[i]) << "element " << i << ": " << a[i] << " + " << b[i];
    }
    EXPECT_TRUE(GuardIntact<int32_t>(absl::MakeConstSpan(got).subspan(n), kGuardInt));
  }
}

TEST_P(Dispatch, NoopCompletesForAnyGrid) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("noop"));
  for (const GridSize& grid : {GridSize{1, 1, 1}, GridSize{7, 3, 2}, GridSize{4096, 1, 1}}) {
    HAL_CTS_EXPECT_OK(queue().Dispatch(*kernel, grid, {}));
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> done, device().CreateEvent());
  HAL_CTS_ASSERT_OK(queue().Signal(*done));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, done->IsComplete());
  EXPECT_TRUE(complete);
}

TEST_P(Dispatch, BindingOffsetsAreHonoured) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("saxpy_f32"));
  // Bind a window of each buffer that starts a few alignment units in.
  const uint64_t alignment = properties().binding_offset_alignment;
  const uint64_t x_offset = 3 * alignment;
  const uint64_t y_offset = 5 * alignment;
  constexpr uint32_t kN = 1000;
  constexpr float kA = -2.5f;
  const std::vector<float> x = RandomFloats(x_offset / sizeof(float) + kN, 9);
  const std::vector<float> y =
      RandomFloats(y_offset / sizeof(float) + kN + kDispatchGuardElements, 10);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> x_buffer,
                               Upload<float>(device(), queue(), x));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> y_buffer,
                               Upload<float>(device(), queue(), y));
  const BufferBinding bindings[] = {{x_buffer.get(), x_offset}, {y_buffer.get(), y_offset}};
  HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, {WorkgroupsFor(kN, kElementwiseWorkgroupSize)},
                                     bindings, SaxpyF32Constants{kA, kN}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *y_buffer, y.size()));

  const size_t y_first = y_offset / sizeof(float);
  const auto window = [](const std::vector<float>& v, size_t first) {
    return absl::MakeConstSpan(v).subspan(first, kN);
  };
  EXPECT_TRUE(MatchesReference(
      window(got, y_first),
      SaxpyReference(kA, window(x, x_offset / sizeof(float)), window(y, y_first))));
  // Before and after the window, y is untouched.
  for (size_t i = 0; i < y.size(); ++i) {
    if (i >= y_first && i < y_first + kN) continue;
    ASSERT_EQ(got[i], y[i]) << "element " << i << " outside the bound window changed";
  }
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Dispatch);

}  // namespace
}  // namespace hal::cts
