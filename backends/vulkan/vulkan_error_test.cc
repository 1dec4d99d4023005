// The driver's translation of Vulkan results into the error model, tested on
// its own: lavapipe cannot be made to lose its device or run out of device
// memory (it allocates from the host as long as the host has any), so these
// mappings cannot be provoked through a real device in CI.
#include "backends/vulkan/vulkan_error.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::vulkan {
namespace {

using ::testing::HasSubstr;

TEST(VulkanErrorTest, ResultsMapToTheErrorModelAndKeepTheVulkanName) {
  struct Case {
    VkResult vulkan;
    hal_result expected;
    const char* name;
  };
  const Case cases[] = {
      {VK_ERROR_DEVICE_LOST, HAL_ERROR_UNAVAILABLE, "VK_ERROR_DEVICE_LOST (-4)"},
      {VK_ERROR_OUT_OF_DEVICE_MEMORY, HAL_ERROR_OUT_OF_MEMORY,
       "VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)"},
      {VK_ERROR_OUT_OF_HOST_MEMORY, HAL_ERROR_OUT_OF_MEMORY, "VK_ERROR_OUT_OF_HOST_MEMORY (-1)"},
      {VK_ERROR_INITIALIZATION_FAILED, HAL_ERROR_INVALID_ARGUMENT,
       "VK_ERROR_INITIALIZATION_FAILED (-3)"},
      {VK_ERROR_INVALID_SHADER_NV, HAL_ERROR_INVALID_ARGUMENT, "VK_ERROR_INVALID_SHADER_NV"},
      {static_cast<VkResult>(-123456), HAL_ERROR_INVALID_ARGUMENT, "VkResult(-123456)"},
  };
  for (const Case& c : cases) {
    // INVALID_ARGUMENT is what a rejected pipeline maps to (vulkan_module.cc);
    // a lost device and exhausted memory override it.
    EXPECT_EQ(FailVk("vkCreateComputePipelines", c.vulkan, HAL_ERROR_INVALID_ARGUMENT), c.expected)
        << c.name;
    EXPECT_THAT(LastErrorMessage(), HasSubstr("vkCreateComputePipelines failed: "));
    EXPECT_THAT(LastErrorMessage(), HasSubstr(c.name));
  }
  EXPECT_EQ(FailVk("vkQueueSubmit", VK_ERROR_UNKNOWN), HAL_ERROR_INTERNAL);
}

TEST(VulkanErrorTest, LongMessagesAreTruncatedNotOverflowed) {
  const std::string long_call(5000, 'x');
  EXPECT_EQ(FailVk(long_call, VK_ERROR_DEVICE_LOST), HAL_ERROR_UNAVAILABLE);
  EXPECT_EQ(std::string(LastErrorMessage()).size(), driver_support::kMaxErrorMessageSize - 1);
}

}  // namespace
}  // namespace hal::vulkan
