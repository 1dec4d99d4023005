// KernelNumerics: the elementwise kernels of the standard set (fill_f32,
// saxpy_f32, vector_add_i32), reduce_sum_f32 and noop over the size classes
// that break kernels: empty (n = 0), one element, exactly one workgroup, not a
// multiple of the workgroup (257, 1000), more workgroups than one row of the
// grid holds (a 2-D grid, kernels/README.md), and large (LargeBufferBytes).
// Results are checked against double-precision references
// (conformance/reference_kernels.h: the tolerances and why), and the buffers
// hold guard elements past n that must come back unchanged.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/numerics/test_data.h"
#include "conformance/numerics/test_sizes.h"
#include "conformance/reference_kernels.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// Elements kept past n in every output buffer, set to a guard value.
constexpr size_t kGuardElements = 64;
constexpr float kGuard = -12345.0f;
constexpr int32_t kGuardInt = 0x5EEDBEEF;

// The row of a 2-D grid when the device's own row limit is beyond what a
// large buffer holds (the CPU driver allows 2^31 - 1 workgroups in x): the
// grid is then made 2-D at this row length, which still exercises the
// numbering of workgroups across rows.
constexpr uint32_t kTestRowLimit = 4096;

enum class SizeClass { kFixed, kTwoDimensionalGrid, kLarge };

struct SizeCase {
  SizeClass size_class = SizeClass::kFixed;
  uint32_t n = 0;  // for kFixed

  std::string Name() const {
    switch (size_class) {
      case SizeClass::kFixed:
        return absl::StrCat("n", n);
      case SizeClass::kTwoDimensionalGrid:
        return "grid2d";
      case SizeClass::kLarge:
        return "large";
    }
    return "unknown";
  }
};

std::vector<SizeCase> SizeCases() {
  std::vector<SizeCase> cases;
  // Empty, one element, one whole workgroup, one element past it, and a
  // partial last workgroup of 232 elements.
  for (uint32_t n : {0u, 1u, kElementwiseWorkgroupSize, kElementwiseWorkgroupSize + 1, 1000u}) {
    cases.push_back({SizeClass::kFixed, n});
  }
  cases.push_back({SizeClass::kTwoDimensionalGrid});
  cases.push_back({SizeClass::kLarge});
  return cases;
}

class KernelNumerics : public DeviceCaseTest<SizeCase> {
 protected:
  void SetUp() override {
    DeviceCaseTest::SetUp();
    if (IsSkipped()) return;
    // 0: the device sets no limit (as the runtime reads it).
    const uint32_t device_row = properties().max_workgroup_count[0] == 0
                                    ? std::numeric_limits<uint32_t>::max()
                                    : properties().max_workgroup_count[0];
    const uint64_t large_elements = LargeBufferBytes(properties()) / sizeof(float);
    ASSERT_GT(large_elements, kGuardElements) << "the device's memory is too small";
    row_limit_ = device_row;
    switch (test_case().size_class) {
      case SizeClass::kFixed:
        n_ = test_case().n;
        break;
      case SizeClass::kTwoDimensionalGrid: {
        // The smallest n that needs one workgroup more than a row holds; at
        // the test's own row limit when the device's would take more than a
        // large buffer.
        const uint64_t at_device_row = uint64_t{device_row} * kElementwiseWorkgroupSize + 1;
        if (at_device_row + kGuardElements > large_elements) row_limit_ = kTestRowLimit;
        n_ = static_cast<uint32_t>(uint64_t{row_limit_} * kElementwiseWorkgroupSize + 1);
        break;
      }
      case SizeClass::kLarge:
        n_ = static_cast<uint32_t>(std::min<uint64_t>(large_elements - kGuardElements,
                                                      std::numeric_limits<uint32_t>::max()));
        break;
    }
  }

  // The grid covering `workgroups` (at least one: a grid has no empty
  // dimension, and the workgroups past the range do nothing).
  GridSize Grid(uint64_t workgroups) const {
    const GridSize grid = GridFor(std::max<uint64_t>(workgroups, 1), row_limit_);
    if (test_case().size_class == SizeClass::kTwoDimensionalGrid) {
      EXPECT_GT(grid.y, 1u) << "the case must not fit one row of " << row_limit_;
    }
    return grid;
  }
  GridSize ElementwiseGrid() const { return Grid(WorkgroupsFor(n_, kElementwiseWorkgroupSize)); }

  uint32_t n_ = 0;
  uint32_t row_limit_ = 0;
};

TEST_P(KernelNumerics, FillF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("fill_f32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<Buffer> out,
      Upload<float>(device(), queue(), std::vector<float>(n_ + kGuardElements, kGuard)));
  const BufferBinding bindings[] = {{out.get(), 0}};
  constexpr float kValue = 3.25f;
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, ElementwiseGrid(), bindings, FillF32Constants{kValue, n_}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *out, n_ + kGuardElements));
  EXPECT_TRUE(AllEqual<float>(absl::MakeConstSpan(got).first(n_), kValue)) << "in the range";
  EXPECT_TRUE(AllEqual<float>(absl::MakeConstSpan(got).subspan(n_), kGuard)) << "past n";
}

TEST_P(KernelNumerics, SaxpyF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("saxpy_f32"));
  constexpr float kA = 1.75f;
  const std::vector<float> x = HashFloats(n_ + kGuardElements, 1);
  const std::vector<float> y =
      GuardedTail(HashFloats(n_ + kGuardElements, 2), kGuardElements, kGuard);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> x_buffer,
                               Upload<float>(device(), queue(), x));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> y_buffer,
                               Upload<float>(device(), queue(), y));
  const BufferBinding bindings[] = {{x_buffer.get(), 0}, {y_buffer.get(), 0}};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, ElementwiseGrid(), bindings, SaxpyF32Constants{kA, n_}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *y_buffer, y.size()));
  // In chunks, so that a large case's reference (two doubles per element)
  // stays small.
  constexpr size_t kChunk = size_t{1} << 16;
  for (size_t begin = 0; begin < n_; begin += kChunk) {
    const size_t count = std::min<size_t>(kChunk, n_ - begin);
    const auto chunk = [&](const std::vector<float>& v) {
      return absl::MakeConstSpan(v).subspan(begin, count);
    };
    ASSERT_TRUE(MatchesReference(chunk(got), SaxpyReference(kA, chunk(x), chunk(y))))
        << "in the chunk starting at element " << begin;
  }
  EXPECT_TRUE(AllEqual<float>(absl::MakeConstSpan(got).subspan(n_), kGuard)) << "past n";
}

TEST_P(KernelNumerics, VectorAddI32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("vector_add_i32"));
  std::vector<int32_t> a = HashInts(n_ + kGuardElements, 3);
  std::vector<int32_t> b = HashInts(n_ + kGuardElements, 4);
  // Overflow both ways and the identities around it, where n leaves room.
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  const std::pair<int32_t, int32_t> edges[] = {{kMax, 1},    {kMin, -1}, {kMax, kMax}, {kMin, kMin},
                                               {kMax, kMin}, {-1, 1},    {0, 0}};
  for (size_t i = 0; i < std::size(edges) && i < n_; ++i) std::tie(a[i], b[i]) = edges[i];
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a_buffer,
                               Upload<int32_t>(device(), queue(), a));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b_buffer,
                               Upload<int32_t>(device(), queue(), b));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<Buffer> c_buffer,
      Upload<int32_t>(device(), queue(), std::vector<int32_t>(n_ + kGuardElements, kGuardInt)));
  const BufferBinding bindings[] = {{a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, ElementwiseGrid(), bindings, VectorAddI32Constants{n_}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<int32_t> got,
                               Download<int32_t>(queue(), *c_buffer, n_ + kGuardElements));
  EXPECT_TRUE(ElementsEqual<int32_t>(
      absl::MakeConstSpan(got).first(n_),
      VectorAddReference(absl::MakeConstSpan(a).first(n_), absl::MakeConstSpan(b).first(n_))));
  EXPECT_TRUE(AllEqual<int32_t>(absl::MakeConstSpan(got).subspan(n_), kGuardInt)) << "past n";
}

// One partial per 256 elements (per 1024 in the large case, so that a device
// that reduces each workgroup as a tree with barriers runs 4x fewer of them).
// Inputs lie in [0.5, 1.5): every element moves its partial by more than the
// tolerance (gamma(epw - 1) * sum|x| < 1023 * 2^-24 * 1536 < 0.1), so a
// skipped or repeated element cannot pass; the elements past n are 1e6, so
// reading past the range cannot either.
TEST_P(KernelNumerics, ReduceSumF32) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("reduce_sum_f32"));
  const uint32_t per_workgroup =
      test_case().size_class == SizeClass::kLarge ? 1024 : kElementwiseWorkgroupSize;
  const std::vector<float> in =
      GuardedTail(HashFloats(n_ + kGuardElements, 5, 0.5f, 1.5f), kGuardElements, 1e6f);
  const uint32_t partials = WorkgroupsFor(n_, per_workgroup);
  const GridSize grid = Grid(partials);
  // Room for a partial per workgroup of the grid: those past the last partial
  // must write nothing.
  const uint64_t grid_workgroups = uint64_t{grid.x} * grid.y * grid.z;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> in_buffer,
                               Upload<float>(device(), queue(), in));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<Buffer> out,
      Upload<float>(device(), queue(),
                    std::vector<float>(grid_workgroups + kGuardElements, kGuard)));
  const BufferBinding bindings[] = {{in_buffer.get(), 0}, {out.get(), 0}};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, grid, bindings, ReduceSumF32Constants{n_, per_workgroup}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *out, grid_workgroups + kGuardElements));
  EXPECT_TRUE(
      MatchesReference(absl::MakeConstSpan(got).first(partials),
                       ReducePartialsReference(absl::MakeConstSpan(in).first(n_), per_workgroup)));
  EXPECT_TRUE(AllEqual<float>(absl::MakeConstSpan(got).subspan(partials), kGuard))
      << "past the last partial";
}

// noop over the grids of the other kernels: it takes no buffer, so what can
// fail is the dispatch of such a grid and its completion.
TEST_P(KernelNumerics, Noop) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("noop"));
  HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, ElementwiseGrid(), {}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> done, device().CreateEvent());
  HAL_CTS_ASSERT_OK(queue().Signal(*done));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, done->IsComplete());
  EXPECT_TRUE(complete);
}

HAL_CTS_COVERS("KernelNumerics.*", {"stream_dispatch", "success"});
HAL_CTS_COVERS("KernelNumerics.Noop", {"stream_signal_event", "success"});

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(KernelNumerics, SizeCases());

}  // namespace
}  // namespace hal::cts
