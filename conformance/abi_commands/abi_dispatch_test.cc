// stream_dispatch through the driver table: each standard kernel with exact
// results (small integers, so float arithmetic is exact), push constants
// copied before the call returns, binding offsets on every binding, grids
// spread over y and z, workgroups past the end writing nothing, and dispatches
// ordered with copies and fills on their stream.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/standard_kernels.h"

namespace hal::cts {
namespace {

template <typename T>
absl::Span<const uint8_t> Bytes(const std::vector<T>& values) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(values.data()),
                             values.size() * sizeof(T));
}

// One partial per workgroup of `elements_per_workgroup`, each an exact sum of
// small integers.
void ExpectPartials(const std::vector<float>& partials, const std::vector<float>& input,
                    uint32_t elements_per_workgroup) {
  ASSERT_EQ(partials.size(), WorkgroupsFor(input.size(), elements_per_workgroup));
  for (size_t w = 0; w < partials.size(); ++w) {
    const size_t begin = w * elements_per_workgroup;
    const size_t end = std::min(input.size(), begin + elements_per_workgroup);
    EXPECT_EQ(partials[w], std::accumulate(input.begin() + begin, input.begin() + end, 0.0f))
        << "partial " << w;
  }
}

class AbiDispatch : public AbiCommandsTest {
 protected:
  // A device buffer holding `values`.
  template <typename T>
  DrvBuffer BufferOf(const std::vector<T>& values) {
    DrvBuffer buffer = AllocateBuffer(values.size() * sizeof(T));
    if (buffer) Write(stream(), buffer.get(), 0, Bytes(values));
    return buffer;
  }

  // fill_f32 of n floats over `grid` into a buffer of `capacity` floats
  // holding -1: the first n become `value`, the rest stay -1.
  void CheckFillOverGrid(uint32_t n, uint32_t capacity, const std::array<uint32_t, 3>& grid) {
    LoadedKernel fill = LoadKernel("fill_f32");
    ASSERT_NE(fill.kernel, nullptr);
    DrvBuffer buffer = BufferOf(std::vector<float>(capacity, -1.0f));
    ASSERT_TRUE(buffer);
    const hal_binding bindings[] = {{buffer.get(), 0}};
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      Dispatch(stream(), fill.kernel, grid, bindings, FillF32Constants{7.0f, n}));
    std::vector<float> expected(capacity, -1.0f);
    std::fill(expected.begin(), expected.begin() + n, 7.0f);
    EXPECT_EQ(ReadBackAs<float>(stream(), buffer.get(), 0, capacity), expected);
  }

  // reduce_sum_f32 of n small integers in workgroups of
  // `elements_per_workgroup`: each partial exact.
  void CheckReduce(uint32_t n, uint32_t elements_per_workgroup) {
    LoadedKernel reduce = LoadKernel("reduce_sum_f32");
    ASSERT_NE(reduce.kernel, nullptr);
    std::vector<float> input(n);
    for (uint32_t i = 0; i < n; ++i) input[i] = static_cast<float>(i % 9);
    const uint32_t workgroups = WorkgroupsFor(n, elements_per_workgroup);
    DrvBuffer in = BufferOf(input);
    DrvBuffer out = BufferOf(std::vector<float>(workgroups, -1.0f));
    ASSERT_TRUE(in && out);
    const hal_binding bindings[] = {{in.get(), 0}, {out.get(), 0}};
    ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), reduce.kernel, {workgroups, 1, 1}, bindings,
                                            ReduceSumF32Constants{n, elements_per_workgroup}));
    ExpectPartials(ReadBackAs<float>(stream(), out.get(), 0, workgroups), input,
                   elements_per_workgroup);
  }

  // C = alpha*A*B + beta*C on small integers (exact in float); M and N not
  // multiples of the tile make the grid span x (columns) and y (rows) with
  // ragged edges.
  void CheckGemm(uint32_t m, uint32_t n, uint32_t k, float alpha, float beta) {
    LoadedKernel gemm = LoadKernel("gemm_f32");
    ASSERT_NE(gemm.kernel, nullptr);
    std::vector<float> a(m * k);
    std::vector<float> b(k * n);
    std::vector<float> c(m * n);
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 7) - 3.0f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 5) - 2.0f;
    for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<float>(i % 3);
    DrvBuffer a_buffer = BufferOf(a);
    DrvBuffer b_buffer = BufferOf(b);
    DrvBuffer c_buffer = BufferOf(c);
    ASSERT_TRUE(a_buffer && b_buffer && c_buffer);
    const hal_binding bindings[] = {{a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      Dispatch(stream(), gemm.kernel,
                               {WorkgroupsFor(n, kGemmTile), WorkgroupsFor(m, kGemmTile), 1},
                               bindings, GemmF32Constants{m, n, k, alpha, beta}));
    std::vector<float> expected(m * n);
    for (uint32_t row = 0; row < m; ++row) {
      for (uint32_t column = 0; column < n; ++column) {
        float sum = 0.0f;
        for (uint32_t i = 0; i < k; ++i) sum += a[row * k + i] * b[i * n + column];
        expected[row * n + column] = alpha * sum + beta * c[row * n + column];
      }
    }
    EXPECT_EQ(ReadBackAs<float>(stream(), c_buffer.get(), 0, m * n), expected);
  }

  // The binding offset alignment, at least 4 bytes (one element).
  uint64_t OffsetUnit() const { return std::max<uint64_t>(properties().binding_offset_alignment, 4); }
};

HAL_CTS_COVERS("AbiDispatch.*", {"stream_dispatch", "success"});

TEST_P(AbiDispatch, FillF32WritesTheFirstNElements) { CheckFillOverGrid(1000, 1100, {4, 1, 1}); }

TEST_P(AbiDispatch, SaxpyF32IsExact) {
  constexpr uint32_t kN = 777;
  LoadedKernel saxpy = LoadKernel("saxpy_f32");
  ASSERT_NE(saxpy.kernel, nullptr);
  std::vector<float> x(kN);
  std::vector<float> y(kN);
  for (uint32_t i = 0; i < kN; ++i) {
    x[i] = static_cast<float>(i % 17);
    y[i] = static_cast<float>(i % 5) - 2.0f;
  }
  DrvBuffer x_buffer = BufferOf(x);
  DrvBuffer y_buffer = BufferOf(y);
  ASSERT_TRUE(x_buffer && y_buffer);
  const hal_binding bindings[] = {{x_buffer.get(), 0}, {y_buffer.get(), 0}};
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    Dispatch(stream(), saxpy.kernel, {WorkgroupsFor(kN, kElementwiseWorkgroupSize), 1, 1},
                             bindings, SaxpyF32Constants{3.0f, kN}));
  std::vector<float> expected(kN);
  for (uint32_t i = 0; i < kN; ++i) expected[i] = 3.0f * x[i] + y[i];
  EXPECT_EQ(ReadBackAs<float>(stream(), y_buffer.get(), 0, kN), expected);
  EXPECT_EQ(ReadBackAs<float>(stream(), x_buffer.get(), 0, kN), x) << "x changed";
}


TEST_P(AbiDispatch, ReduceSumF32PartialsOf256Elements) { CheckReduce(1000, 256); }
TEST_P(AbiDispatch, ReduceSumF32PartialsOf64Elements) { CheckReduce(1000, 64); }
TEST_P(AbiDispatch, ReduceSumF32PartialsOf1000Elements) { CheckReduce(2500, 1000); }

TEST_P(AbiDispatch, GemmF32OneTile) { CheckGemm(16, 16, 16, 1.0f, 0.0f); }
TEST_P(AbiDispatch, GemmF32RaggedTilesInXAndY) { CheckGemm(20, 36, 12, 1.0f, 0.0f); }
TEST_P(AbiDispatch, GemmF32TallGridInY) { CheckGemm(70, 5, 3, 1.0f, 0.0f); }
TEST_P(AbiDispatch, GemmF32AlphaAndBeta) { CheckGemm(17, 19, 23, 2.0f, 1.0f); }

TEST_P(AbiDispatch, VectorAddI32WrapsOnOverflow) {
  constexpr uint32_t kN = 300;
  LoadedKernel add = LoadKernel("vector_add_i32");
  ASSERT_NE(add.kernel, nullptr);
  std::vector<int32_t> a(kN);
  std::vector<int32_t> b(kN);
  for (uint32_t i = 0; i < kN; ++i) {
    a[i] = static_cast<int32_t>(i) - 150;
    b[i] = static_cast<int32_t>(i * 3);
  }
  a[0] = std::numeric_limits<int32_t>::max();
  b[0] = 1;
  a[1] = std::numeric_limits<int32_t>::min();
  b[1] = -1;
  DrvBuffer a_buffer = BufferOf(a);
  DrvBuffer b_buffer = BufferOf(b);
  DrvBuffer c_buffer = BufferOf(std::vector<int32_t>(kN, 0));
  ASSERT_TRUE(a_buffer && b_buffer && c_buffer);
  const hal_binding bindings[] = {{a_buffer.get(), 0}, {b_buffer.get(), 0}, {c_buffer.get(), 0}};
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), add.kernel, {2, 1, 1}, bindings,
                                          VectorAddI32Constants{kN}));
  std::vector<int32_t> expected(kN);
  for (uint32_t i = 0; i < kN; ++i) {
    expected[i] = static_cast<int32_t>(static_cast<uint32_t>(a[i]) + static_cast<uint32_t>(b[i]));
  }
  EXPECT_EQ(ReadBackAs<int32_t>(stream(), c_buffer.get(), 0, kN), expected);
}

// noop takes no bindings and no push constants; the stream runs on past it.
TEST_P(AbiDispatch, NoopWithoutBindingsOrPushConstants) {
  LoadedKernel noop = LoadKernel("noop");
  ASSERT_NE(noop.kernel, nullptr);
  DrvEvent done = CreateEvent();
  ASSERT_TRUE(done);
  for (uint32_t workgroups : {1u, 64u}) {
    ASSERT_HAL_RESULT(HAL_SUCCESS, DispatchRaw(stream(), noop.kernel, {workgroups, 1, 1}, {},
                                               nullptr, 0));
  }
  Signal(stream(), done.get());
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().event_synchronize(done.get()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_query(stream().get()));
}

// The push constants are copied before stream_dispatch returns: the block,
// changed right after while a chain keeps the dispatch pending, does not
// reach the kernel.
TEST_P(AbiDispatch, PushConstantsAreCopiedBeforeTheCallReturns) {
  constexpr uint32_t kN = 512;
  LoadedKernel fill = LoadKernel("fill_f32");
  ASSERT_NE(fill.kernel, nullptr);
  DrvBuffer buffer = AllocateBuffer(kN * sizeof(float));
  ASSERT_TRUE(buffer);
  const hal_binding bindings[] = {{buffer.get(), 0}};
  EnqueueGemmChain(stream(), 4);
  FillF32Constants constants{8.0f, kN};
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {2, 1, 1}, bindings, constants));
  constants = FillF32Constants{-8.0f, 1};
  EXPECT_EQ(ReadBackAs<float>(stream(), buffer.get(), 0, kN), std::vector<float>(kN, 8.0f));
}

// Two dispatches of one kernel queued back to back keep their own constants.
TEST_P(AbiDispatch, QueuedDispatchesKeepTheirOwnPushConstants) {
  constexpr uint32_t kN = 256;
  LoadedKernel fill = LoadKernel("fill_f32");
  ASSERT_NE(fill.kernel, nullptr);
  DrvBuffer first = AllocateBuffer(kN * sizeof(float));
  DrvBuffer second = AllocateBuffer(kN * sizeof(float));
  ASSERT_TRUE(first && second);
  const hal_binding first_bindings[] = {{first.get(), 0}};
  const hal_binding second_bindings[] = {{second.get(), 0}};
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {1, 1, 1}, first_bindings,
                                          FillF32Constants{1.0f, kN}));
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {1, 1, 1}, second_bindings,
                                          FillF32Constants{2.0f, kN}));
  EXPECT_EQ(ReadBackAs<float>(stream(), first.get(), 0, kN), std::vector<float>(kN, 1.0f));
  EXPECT_EQ(ReadBackAs<float>(stream(), second.get(), 0, kN), std::vector<float>(kN, 2.0f));
}

// fill_f32 bound at 3 alignment units into its buffer: the bytes before the
// offset and past the n elements keep their value.
TEST_P(AbiDispatch, BindingOffsetIsHonoured) {
  constexpr uint32_t kN = 300;
  LoadedKernel fill = LoadKernel("fill_f32");
  ASSERT_NE(fill.kernel, nullptr);
  const uint64_t offset = 3 * OffsetUnit();
  const uint32_t capacity = static_cast<uint32_t>(offset / 4) + kN + 8;
  DrvBuffer buffer = BufferOf(std::vector<float>(capacity, -1.0f));
  ASSERT_TRUE(buffer);
  const hal_binding bindings[] = {{buffer.get(), offset}};
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {2, 1, 1}, bindings,
                                          FillF32Constants{9.0f, kN}));
  std::vector<float> expected(capacity, -1.0f);
  std::fill_n(expected.begin() + static_cast<ptrdiff_t>(offset / 4), kN, 9.0f);
  EXPECT_EQ(ReadBackAs<float>(stream(), buffer.get(), 0, capacity), expected);
}

// vector_add_i32 with a different offset on each of its three bindings, all
// in one buffer: each binding reads or writes its own range.
TEST_P(AbiDispatch, EachBindingTakesItsOwnOffset) {
  constexpr uint32_t kN = 100;
  LoadedKernel add = LoadKernel("vector_add_i32");
  ASSERT_NE(add.kernel, nullptr);
  const uint64_t unit = OffsetUnit();
  // Ranges at 1, 1 + r and 1 + 2r units, r units holding kN elements.
  const uint64_t range_units = (kN * sizeof(int32_t) + unit - 1) / unit;
  const uint64_t a_offset = unit;
  const uint64_t b_offset = a_offset + range_units * unit;
  const uint64_t c_offset = b_offset + range_units * unit;
  const size_t words = (c_offset + range_units * unit) / 4;
  std::vector<int32_t> contents(words, -7);
  for (uint32_t i = 0; i < kN; ++i) {
    contents[a_offset / 4 + i] = static_cast<int32_t>(i);
    contents[b_offset / 4 + i] = static_cast<int32_t>(1000 * i);
  }
  DrvBuffer buffer = BufferOf(contents);
  ASSERT_TRUE(buffer);
  const hal_binding bindings[] = {
      {buffer.get(), a_offset}, {buffer.get(), b_offset}, {buffer.get(), c_offset}};
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), add.kernel, {1, 1, 1}, bindings,
                                          VectorAddI32Constants{kN}));
  std::vector<int32_t> expected = contents;
  for (uint32_t i = 0; i < kN; ++i) expected[c_offset / 4 + i] = static_cast<int32_t>(1001 * i);
  EXPECT_EQ(ReadBackAs<int32_t>(stream(), buffer.get(), 0, words), expected);
}

// Workgroups numbered x fastest, then y, then z: grids spread over y, over z
// and over all three cover the same elements as one row.
TEST_P(AbiDispatch, GridInYCoversTheRange) { CheckFillOverGrid(1024, 1100, {1, 4, 1}); }
TEST_P(AbiDispatch, GridInZCoversTheRange) { CheckFillOverGrid(1024, 1100, {1, 1, 4}); }
TEST_P(AbiDispatch, GridInXYAndZCoversTheRange) { CheckFillOverGrid(2000, 2100, {2, 2, 2}); }
TEST_P(AbiDispatch, RaggedGridInYAndZCoversTheRange) { CheckFillOverGrid(1500, 1600, {3, 1, 2}); }

// Eight workgroups for 300 elements: those past the end write nothing.
TEST_P(AbiDispatch, WorkgroupsPastTheEndWriteNothing) { CheckFillOverGrid(300, 2048, {8, 1, 1}); }

// fill_f32, then a copy, then saxpy on the copy, on one stream with no
// synchronize between: each command sees the one before it.
TEST_P(AbiDispatch, DispatchesKeepTheirStreamsOrderWithCopiesAndFills) {
  constexpr uint32_t kN = 512;
  LoadedKernel fill = LoadKernel("fill_f32");
  LoadedKernel saxpy = LoadKernel("saxpy_f32");
  ASSERT_TRUE(fill.kernel != nullptr && saxpy.kernel != nullptr);
  DrvBuffer x = AllocateBuffer(kN * sizeof(float));
  DrvBuffer y = AllocateBuffer(kN * sizeof(float));
  ASSERT_TRUE(x && y);
  const hal_binding x_binding[] = {{x.get(), 0}};
  const hal_binding saxpy_bindings[] = {{x.get(), 0}, {y.get(), 0}};
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), x.get(), 0,
                                                     kN * sizeof(float), 0));
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {2, 1, 1}, x_binding,
                                          FillF32Constants{3.0f, kN}));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), x.get(), 0, y.get(),
                                                            0, kN * sizeof(float)));
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), saxpy.kernel, {2, 1, 1}, saxpy_bindings,
                                          SaxpyF32Constants{2.0f, kN}));
  ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), fill.kernel, {2, 1, 1}, x_binding,
                                          FillF32Constants{5.0f, kN}));
  EXPECT_EQ(ReadBackAs<float>(stream(), y.get(), 0, kN), std::vector<float>(kN, 9.0f));
  EXPECT_EQ(ReadBackAs<float>(stream(), x.get(), 0, kN), std::vector<float>(kN, 5.0f));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiDispatch);

}  // namespace
}  // namespace hal::cts
