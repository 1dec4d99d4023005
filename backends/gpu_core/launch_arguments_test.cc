#include "backends/gpu_core/launch_arguments.h"

#include <cstring>

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

struct Constants {
  float a;
  uint32_t n;
};

TEST(LaunchArgumentsTest, BindingsAsPointersThenPushConstantsByValue) {
  const uint64_t addresses[2] = {0x1000, 0x2040};
  const Constants constants{2.5f, 77};
  LaunchArguments arguments(addresses, 2, &constants, sizeof(constants));
  ASSERT_EQ(arguments.count(), 3u);
  void** params = arguments.kernel_params();
  EXPECT_EQ(*static_cast<uint64_t*>(params[0]), 0x1000u);
  EXPECT_EQ(*static_cast<uint64_t*>(params[1]), 0x2040u);
  Constants copied;
  std::memcpy(&copied, params[2], sizeof(copied));
  EXPECT_EQ(copied.a, 2.5f);
  EXPECT_EQ(copied.n, 77u);
  EXPECT_NE(params[2], static_cast<const void*>(&constants)) << "a copy that outlives the caller's";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(params[2]) % 16, 0u);
}

TEST(LaunchArgumentsTest, NoPushConstantsMeansNoTrailingArgument) {
  const uint64_t address = 0x3000;
  LaunchArguments arguments(&address, 1, nullptr, 0);
  EXPECT_EQ(arguments.count(), 1u);
  LaunchArguments none(nullptr, 0, nullptr, 0);
  EXPECT_EQ(none.count(), 0u);
}

TEST(LaunchArgumentsTest, TheLargestSignatureFits) {
  uint64_t addresses[HAL_MAX_BINDINGS];
  for (uint32_t i = 0; i < HAL_MAX_BINDINGS; ++i) addresses[i] = 0x1000 * (i + 1);
  unsigned char constants[HAL_MAX_PUSH_CONSTANT_SIZE];
  for (uint32_t i = 0; i < sizeof(constants); ++i) constants[i] = static_cast<unsigned char>(i);
  LaunchArguments arguments(addresses, HAL_MAX_BINDINGS, constants, sizeof(constants));
  ASSERT_EQ(arguments.count(), HAL_MAX_BINDINGS + 1u);
  EXPECT_EQ(*static_cast<uint64_t*>(arguments.kernel_params()[15]), 0x10000u);
  EXPECT_EQ(std::memcmp(arguments.kernel_params()[16], constants, sizeof(constants)), 0);
}

}  // namespace
}  // namespace hal::gpu
