#include "tests/fake_level_zero/spirv_kernel_params.h"

#include <fstream>
#include <iterator>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::fake::level_zero {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> TestModule() {
  std::ifstream file(HAL_FAKE_ZE_TEST_SPIRV, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(SpirvKernelParamsTest, ReadsPointersAndTheByValueStruct) {
  const std::vector<uint8_t> module = TestModule();
  if (module.empty()) GTEST_SKIP() << "no test SPIR-V (clang-15 and llvm-spirv-15 build it)";
  absl::StatusOr<std::map<std::string, SpirvKernel>> kernels = ReadSpirvKernels(module);
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  ASSERT_EQ(kernels->size(), 2u);
  const SpirvKernel& scale = kernels->at("scale_f32");
  ASSERT_EQ(scale.layout.params.size(), 3u);
  EXPECT_EQ(scale.layout.params[0].size, 8u);
  EXPECT_EQ(scale.layout.params[1].size, 8u);
  EXPECT_EQ(scale.layout.params[2].size, 12u);  // {float, uint, uint} by value
  EXPECT_EQ(scale.layout.params[2].offset, 16u);
  EXPECT_EQ(scale.kinds[0], ParamKind::kGlobalPointer);
  EXPECT_EQ(scale.kinds[2], ParamKind::kByValue);
  EXPECT_EQ(scale.required_group_size, (std::array<uint32_t, 3>{64, 1, 1}));
  const SpirvKernel& increment = kernels->at("increment_u32");
  ASSERT_EQ(increment.layout.params.size(), 1u);
  EXPECT_EQ(increment.required_group_size, (std::array<uint32_t, 3>{32, 1, 1}));
}

TEST(SpirvKernelParamsTest, RefusesWhatIsNoModule) {
  const std::vector<uint8_t> odd(7, 0);
  EXPECT_THAT(ReadSpirvKernels(odd).status().message(), HasSubstr("whole 32-bit words"));
  const std::vector<uint8_t> garbage(64, 0xab);
  EXPECT_EQ(ReadSpirvKernels(garbage).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpirvKernelParamsTest, RefusesEveryTruncation) {
  const std::vector<uint8_t> module = TestModule();
  if (module.empty()) GTEST_SKIP() << "no test SPIR-V (clang-15 and llvm-spirv-15 build it)";
  // Every cut at a word boundary inside the instruction stream either fails
  // cleanly or reads a prefix; none reads past the end (ASan watches).
  for (size_t size = 20; size < module.size(); size += 4) {
    const std::vector<uint8_t> cut(module.begin(), module.begin() + size);
    (void)ReadSpirvKernels(cut);
  }
}

}  // namespace
}  // namespace hal::fake::level_zero
