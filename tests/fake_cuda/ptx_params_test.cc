#include "tests/fake_cuda/ptx_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "tests/fake_cuda/test_files.h"

namespace hal::fake::cuda {
namespace {

using ::testing::HasSubstr;

std::string NvccPtx() {
  const std::vector<uint8_t> bytes = ReadBytes(TestData("scale_kernels.compute_75.ptx"));
  return std::string(bytes.begin(), bytes.end());
}

TEST(PtxParamsTest, ReadsTheLayoutNvccWrote) {
  HAL_FAKE_CUDA_REQUIRE_NVCC();
  absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadPtxParams(NvccPtx());
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  ASSERT_EQ(kernels->size(), 2u);
  const KernelParamLayout& scale = kernels->at("scale_f32");
  ASSERT_EQ(scale.params.size(), 3u);
  EXPECT_EQ(scale.params[1].offset, 8u);
  EXPECT_EQ(scale.params[2].offset, 16u);
  EXPECT_EQ(scale.params[2].size, 12u);
  EXPECT_EQ(scale.total_size, 28u);
  EXPECT_EQ(scale.max_threads_per_block, 64u);  // .maxntid 64, 1, 1
  EXPECT_EQ(kernels->at("increment_u32").params.size(), 1u);
  EXPECT_EQ(kernels->at("increment_u32").max_threads_per_block, 32u);
}

TEST(PtxParamsTest, AlignmentAndPointerAttributesAndComments) {
  const char* ptx = R"(
.version 8.0
.target sm_75 // a comment with .entry fake(
/* .entry commented_out( .param .u64 a ) { } */
.visible .entry k(
  .param .u32 k_param_0,
  .param .u64 .ptr .global .align 16 k_param_1,
  .param .align 8 .b8 k_param_2[20]
)
.reqntid 8, 4
{ { ret; } }
.entry empty { ret; }
)";
  absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadPtxParams(ptx);
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  ASSERT_EQ(kernels->size(), 2u);
  const KernelParamLayout& k = kernels->at("k");
  ASSERT_EQ(k.params.size(), 3u);
  EXPECT_EQ(k.params[0].size, 4u);
  EXPECT_EQ(k.params[1].offset, 8u);  // the pointer's own alignment, not its pointee's
  EXPECT_EQ(k.params[2].offset, 16u);
  EXPECT_EQ(k.params[2].size, 20u);
  EXPECT_EQ(k.total_size, 36u);
  EXPECT_EQ(k.max_threads_per_block, 32u);
  EXPECT_TRUE(kernels->at("empty").params.empty());
  EXPECT_EQ(kernels->at("empty").max_threads_per_block, 0u);
}

TEST(PtxParamsTest, MalformedPtxIsRefusedNamingTheLine) {
  const struct {
    const char* ptx;
    const char* why;
  } cases[] = {
      {".version 8.0\n.target sm_75\n.entry k(.param .u64 a { }", "unclosed parameter list"},
      {".version 8.0\n.target sm_75\n.entry k(.param .u64 a) { ret;", "body is not closed"},
      {".version 8.0\n.target sm_75\n.entry k(.param .q64 a) { }", "parameter type"},
      {".version 8.0\n.target sm_75\n.entry k(.param .b8 a[0]) { }", "array size"},
      {".version 8.0\n.target sm_75\n.entry k(.param .align 3 .b8 a[4]) { }", "alignment"},
      {".version 8.0\n.target sm_75\n.entry k(.param .b32 a[9000]) { }", "larger than"},
      {".version 8.0\n.target sm_75\n.entry (.param .u64 a) { }", "without a name"},
      {".version 8.0\n.target sm_75\n.entry k() { }\n.entry k() { }", "appears twice"},
      {".entry k() { }", "before the .version"},
      {".version 8.0\n.target sm_75\n", "no .entry"},
      {".version 8.0\n.target sm_75\n.entry k() .maxntid 2048 { }", ".maxntid"},
      {".version 8.0\n.target sm_75\n.entry k() .maxntid 64, 64 { }", "4096 threads"},
      {"garbage", "no .version"},
      {".version 8.0 /* unterminated", "unterminated"},
  };
  for (const auto& test : cases) {
    absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadPtxParams(test.ptx);
    EXPECT_EQ(kernels.status().code(), absl::StatusCode::kInvalidArgument) << test.ptx;
    EXPECT_THAT(kernels.status().message(), HasSubstr(test.why)) << test.ptx;
  }
  EXPECT_THAT(ReadPtxParams(cases[1].ptx).status().message(), HasSubstr("line 3"));
}

TEST(PtxParamsTest, TruncatedAndCorruptedPtxNeverCrashes) {
  HAL_FAKE_CUDA_REQUIRE_NVCC();
  const std::string ptx = NvccPtx();
  for (size_t size = 0; size < ptx.size(); size += 5) {
    absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels =
        ReadPtxParams(absl::string_view(ptx).substr(0, size));
    if (!kernels.ok()) {
      EXPECT_EQ(kernels.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  std::mt19937 random(11);
  for (int round = 0; round < 1000; ++round) {
    std::string corrupted = ptx;
    for (int flips = 0; flips < 3; ++flips) {
      corrupted[random() % corrupted.size()] = "(){}[],.; \n/*x0"[random() % 16];
    }
    absl::StatusOr<std::map<std::string, KernelParamLayout>> kernels = ReadPtxParams(corrupted);
    if (!kernels.ok()) {
      EXPECT_EQ(kernels.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace hal::fake::cuda
