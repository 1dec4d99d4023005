// Standard kernels at any size: a range of more workgroups than one grid
// dimension allows (65535 on many Vulkan devices) is dispatched as a 2-D grid,
// numbered x fastest (kernels/README.md). The grid's x is capped at 65535
// even where the device allows more, so every device runs the 2-D path.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/device_test.h"
#include "conformance/reference_kernels.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class LargeGrid : public DeviceTest {
 protected:
  uint32_t MaxGridX() const { return std::min(properties().max_workgroup_count[0], 65535u); }
};

// 67 MB of floats: 65539 workgroups of 256, four more than one row holds.
constexpr uint32_t kElements = 65535 * 256 + 1000;
constexpr size_t kGridGuardElements = 64;
constexpr float kGridGuard = -12345.0f;

TEST_P(LargeGrid, FillF32CoversEveryElementOfATwoDimensionalGrid) {
  const GridSize grid = GridFor(WorkgroupsFor(kElements, kElementwiseWorkgroupSize), MaxGridX());
  ASSERT_GT(grid.y, 1u) << "the range must not fit one row of " << MaxGridX() << " workgroups";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("fill_f32"));
  std::vector<float> initial(kElements + kGridGuardElements, 0.0f);
  std::fill(initial.begin() + kElements, initial.end(), kGridGuard);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> out,
                               Upload<float>(device(), queue(), initial));
  const BufferBinding bindings[] = {{out.get(), 0}};
  HAL_CTS_ASSERT_OK(queue().Dispatch(*kernel, grid, bindings, FillF32Constants{2.5f, kElements}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got,
                               Download<float>(queue(), *out, initial.size()));
  for (uint32_t i = 0; i < kElements; ++i) ASSERT_EQ(got[i], 2.5f) << "element " << i;
  for (size_t i = kElements; i < got.size(); ++i) ASSERT_EQ(got[i], kGridGuard) << "guard " << i;
}

TEST_P(LargeGrid, ReduceSumF32WritesOnePartialPerLinearWorkgroup) {
  constexpr uint32_t kPerWorkgroup = 256;
  const uint32_t partials = WorkgroupsFor(kElements, kPerWorkgroup);
  const GridSize grid = GridFor(partials, MaxGridX());
  ASSERT_GT(grid.y, 1u);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("reduce_sum_f32"));
  // Element i is i / 256, so partial w is w times its element count: exact in float.
  std::vector<float> in(kElements);
  for (uint32_t i = 0; i < kElements; ++i) in[i] = static_cast<float>(i / kPerWorkgroup);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> in_buffer,
                               Upload<float>(device(), queue(), in));
  // Room for the whole grid: workgroups past the last partial must not write.
  const uint64_t grid_size = uint64_t{grid.x} * grid.y;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<Buffer> out,
      Upload<float>(device(), queue(), std::vector<float>(grid_size, kGridGuard)));
  const BufferBinding bindings[] = {{in_buffer.get(), 0}, {out.get(), 0}};
  HAL_CTS_ASSERT_OK(
      queue().Dispatch(*kernel, grid, bindings, ReduceSumF32Constants{kElements, kPerWorkgroup}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> got, Download<float>(queue(), *out, grid_size));
  for (uint32_t w = 0; w < partials; ++w) {
    const uint32_t count = std::min(kPerWorkgroup, kElements - w * kPerWorkgroup);
    ASSERT_EQ(got[w], static_cast<float>(w) * static_cast<float>(count)) << "partial " << w;
  }
  for (uint64_t w = partials; w < grid_size; ++w)
    ASSERT_EQ(got[w], kGridGuard) << "workgroup " << w;
}

}  // namespace

HAL_CTS_INSTANTIATE_DEVICE_TESTS(LargeGrid);

}  // namespace hal::cts
