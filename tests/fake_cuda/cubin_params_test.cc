#include "tests/fake_cuda/cubin_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/match.h"
#include "backends/gpu_core/elf_image.h"

#include "tests/fake_cuda/test_files.h"

namespace hal::fake::cuda {
namespace {

using ::testing::HasSubstr;
using gpu::ElfImageSize;

class CubinParamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HAL_FAKE_CUDA_REQUIRE_NVCC();
    cubin_ = ReadBytes(TestData("scale_kernels.sm_90.cubin"));
    ASSERT_FALSE(cubin_.empty());
  }
  std::vector<uint8_t> cubin_;
};

TEST_F(CubinParamsTest, ReadsTheLayoutNvccWrote) {
  absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadCubinParams(cubin_);
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  ASSERT_EQ(kernels->size(), 2u);
  const KernelParamLayout& scale = kernels->at("scale_f32");
  ASSERT_EQ(scale.params.size(), 3u);
  EXPECT_EQ(scale.params[0].offset, 0u);
  EXPECT_EQ(scale.params[0].size, 8u);
  EXPECT_EQ(scale.params[1].offset, 8u);
  EXPECT_EQ(scale.params[2].offset, 16u);
  EXPECT_EQ(scale.params[2].size, 12u);
  EXPECT_EQ(scale.total_size, 28u);
  EXPECT_EQ(scale.max_threads_per_block, 64u);  // __launch_bounds__(64)
  const KernelParamLayout& increment = kernels->at("increment_u32");
  ASSERT_EQ(increment.params.size(), 1u);
  EXPECT_EQ(increment.params[0].size, 8u);
  EXPECT_EQ(increment.max_threads_per_block, 32u);
}

TEST_F(CubinParamsTest, TheSizeOfTheImageFollowsFromItsHeaders) {
  absl::StatusOr<size_t> size = ElfImageSize(cubin_.data(), cubin_.size());
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, cubin_.size());
  EXPECT_FALSE(ElfImageSize(cubin_.data(), cubin_.size() - 1).ok());
}

TEST_F(CubinParamsTest, TheSmVersionComesFromTheElfFlags) {
  EXPECT_EQ(*CubinSmVersion(cubin_), 90);
  EXPECT_EQ(*CubinSmVersion(ReadBytes(TestData("scale_kernels.sm_80.cubin"))), 80);
}

TEST_F(CubinParamsTest, TruncatedCubinsAreRefusedCleanly) {
  for (size_t size = 0; size < cubin_.size(); size += 7) {
    const absl::Span<const uint8_t> cut(cubin_.data(), size);
    absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadCubinParams(cut);
    EXPECT_EQ(kernels.status().code(), absl::StatusCode::kInvalidArgument) << size;
  }
}

// Every corrupted image either parses or is refused: no crash, no read past
// the image (ASan checks the second).
TEST_F(CubinParamsTest, CorruptedCubinsNeverCrash) {
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> corrupted = cubin_;
    for (int flips = 0; flips < 4; ++flips) {
      corrupted[random() % corrupted.size()] = static_cast<uint8_t>(random());
    }
    absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadCubinParams(corrupted);
    if (!kernels.ok()) {
      EXPECT_EQ(kernels.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_F(CubinParamsTest, AnInfoRecordRunningPastItsSectionIsRefused) {
  // An EIATTR_KPARAM_INFO record (04 17) gets a size beyond its section.
  std::vector<uint8_t> corrupted = cubin_;
  bool refused = false;
  for (size_t i = 0; i + 4 <= corrupted.size() && !refused; ++i) {
    if (corrupted[i] != 0x04 || corrupted[i + 1] != 0x17) continue;  // EIATTR_KPARAM_INFO
    corrupted[i + 2] = 0xff;
    corrupted[i + 3] = 0x7f;
    absl::StatusOr<std::map<std::string, KernelParamLayout>> after = ReadCubinParams(corrupted);
    refused = !after.ok() && absl::StrContains(after.status().message(), "runs past its section");
  }
  EXPECT_TRUE(refused);
}

TEST(CubinParamsBasicsTest, NotAnElfIsRefused) {
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_THAT(ReadCubinParams(text).status().message(), HasSubstr("no ELF header"));
}

}  // namespace
}  // namespace hal::fake::cuda
