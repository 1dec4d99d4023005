#include "tests/fake_vendor/launch_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace hal::fake {
namespace {

using ::testing::HasSubstr;

struct Constants {
  float factor;
  uint32_t count;
};

void Double(const hal_cpu_dispatch* dispatch) {
  auto* data = static_cast<float*>(dispatch->bindings[0]);
  const auto* constants = static_cast<const Constants*>(dispatch->push_constants);
  const uint32_t i = dispatch->workgroup_id[0] * dispatch->workgroup_size[0];
  for (uint32_t t = 0; t < dispatch->workgroup_size[0] && i + t < constants->count; ++t) {
    data[i + t] *= constants->factor;
  }
}

class LaunchCheckTest : public ::testing::Test {
 protected:
  LaunchCheckTest() : buffer_(64, 1.0f) {
    kernel_.name = "double";
    kernel_.function = &Double;
    kernel_.signature = {sizeof(hal_cpu_kernel_signature), 1, sizeof(Constants), {4, 1, 1}};
    layout_.params = {{0, 8}, {8, sizeof(Constants)}};
    layout_.total_size = 16;
    registry_.Insert({reinterpret_cast<uintptr_t>(buffer_.data()), buffer_.size() * sizeof(float),
                      MemoryKind::kDevice, 0});
    pointer_ = reinterpret_cast<uint64_t>(buffer_.data() + 8);
    params_[0] = &pointer_;
    params_[1] = &constants_;
  }

  absl::StatusOr<CpuLaunch> Check(const LaunchShape& shape) {
    return CheckLaunch(kernel_, layout_, params_, shape, registry_);
  }

  std::vector<float> buffer_;
  CpuTwinKernel kernel_;
  KernelParamLayout layout_;
  AllocationRegistry registry_;
  uint64_t pointer_ = 0;
  Constants constants_{2.0f, 8};
  void* params_[2] = {};
};

TEST_F(LaunchCheckTest, AMatchingLaunchRunsWithBindingSizesToTheEndOfTheAllocation) {
  absl::StatusOr<CpuLaunch> launch = Check({{2, 1, 1}, {4, 1, 1}});
  ASSERT_TRUE(launch.ok()) << launch.status();
  EXPECT_EQ(launch->binding_sizes[0], (64u - 8u) * sizeof(float));
  EXPECT_EQ(launch->push_constants.size(), sizeof(Constants));
  RunOnCpu(kernel_, *launch);
  EXPECT_EQ(buffer_[7], 1.0f);
  EXPECT_EQ(buffer_[8], 2.0f);
  EXPECT_EQ(buffer_[15], 2.0f);
  EXPECT_EQ(buffer_[16], 1.0f);
}

TEST_F(LaunchCheckTest, AWrongBlockSizeIsRefused) {
  absl::StatusOr<CpuLaunch> launch = Check({{2, 1, 1}, {8, 1, 1}});
  EXPECT_EQ(launch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(launch.status().message(), HasSubstr("workgroup size 4x1x1"));
}

TEST_F(LaunchCheckTest, AnEmptyGridIsRefused) {
  EXPECT_THAT(Check({{0, 1, 1}, {4, 1, 1}}).status().message(), HasSubstr("grid 0x1x1"));
}

TEST_F(LaunchCheckTest, APointerOutsideEveryAllocationIsRefused) {
  pointer_ = reinterpret_cast<uint64_t>(buffer_.data() + 64);  // one past the end
  EXPECT_THAT(Check({{1, 1, 1}, {4, 1, 1}}).status().message(),
              HasSubstr("points into no live allocation"));
}

TEST_F(LaunchCheckTest, AMissingParameterIsRefused) {
  params_[1] = nullptr;
  EXPECT_THAT(Check({{1, 1, 1}, {4, 1, 1}}).status().message(),
              HasSubstr("kernelParams[1] is NULL"));
  EXPECT_THAT(CheckLaunch(kernel_, layout_, nullptr, {{1, 1, 1}, {4, 1, 1}}, registry_)
                  .status()
                  .message(),
              HasSubstr("kernelParams is NULL"));
}

TEST_F(LaunchCheckTest, AnImageWhoseLayoutDiffersFromTheKernelAbiIsRefused) {
  layout_.params = {{0, 8}, {8, 8}, {16, sizeof(Constants)}};
  EXPECT_THAT(Check({{1, 1, 1}, {4, 1, 1}}).status().message(),
              HasSubstr("declares 3 parameters, the kernel ABI needs 2"));
  layout_.params = {{0, 4}, {8, sizeof(Constants)}};
  EXPECT_THAT(Check({{1, 1, 1}, {4, 1, 1}}).status().message(),
              HasSubstr("a buffer pointer is 8"));
  layout_.params = {{0, 8}, {8, 12}};
  EXPECT_THAT(Check({{1, 1, 1}, {4, 1, 1}}).status().message(),
              HasSubstr("push-constant parameter is 12 bytes in the device image, 8 in the kernel ABI"));
}

}  // namespace
}  // namespace hal::fake
