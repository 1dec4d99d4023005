// Error reporting of the Vulkan driver: the drivers' shared one, and the
// translation of a VkResult, which is Vulkan's own.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_
#define HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_

#include <string>
#include <string_view>

#include "backends/common/driver_error.h"
#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

// The drivers' shared error reporting (backends/common/driver_error.h).
using driver_support::Fail;
using driver_support::LastErrorMessage;

// "VK_ERROR_DEVICE_LOST" etc.; "VkResult(<n>)" for codes it does not know.
std::string VkResultName(VkResult result);

// Records "<call> failed: <VkResult name> (<n>)" and returns the result the
// architecture maps it to: a lost device is UNAVAILABLE, exhausted host or
// device memory OUT_OF_MEMORY, anything else `otherwise`.
hal_result FailVk(std::string_view call, VkResult result,
                  hal_result otherwise = HAL_ERROR_INTERNAL) noexcept;

// Returns from the enclosing function when a Vulkan call fails.
#define HAL_VK_RETURN_IF_ERROR(call_expression)                                      \
  do {                                                                               \
    if (const VkResult hal_vk_result = (call_expression); hal_vk_result != VK_SUCCESS) \
      return ::hal::vulkan::FailVk(#call_expression, hal_vk_result);                 \
  } while (false)

// Returns from the enclosing function when a hal_result is not HAL_SUCCESS.
#define HAL_RETURN_IF_FAILED(expression)                                             \
  do {                                                                               \
    if (const hal_result hal_result_value = (expression); hal_result_value != HAL_SUCCESS) \
      return hal_result_value;                                                       \
  } while (false)

// Entry points run in it: no C++ exception crosses the C ABI.
inline constexpr driver_support::ExceptionBarrier Guarded{"the Vulkan driver"};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_
