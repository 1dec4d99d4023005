// Error reporting of the Vulkan driver. Per the ABI, a failed call leaves a
// message for the calling thread that last_error_message() returns until the
// thread's next failure.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_
#define HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_

#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

// Records `message` as this thread's last error and returns `result`, so a
// failure path reads `return Fail(HAL_ERROR_NOT_FOUND, ...);`.
hal_result Fail(hal_result result, std::string_view message) noexcept;

// This thread's last error message; "" before any failure. Never null.
const char* LastErrorMessage() noexcept;

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

// Runs `call` (returning hal_result) and turns any C++ exception, which must
// not cross the C ABI, into a result with a message.
template <typename Call>
hal_result Guarded(const Call& call) noexcept {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY, "the Vulkan driver ran out of host memory");
  } catch (const std::exception& error) {
    return Fail(HAL_ERROR_INTERNAL, std::string("the Vulkan driver failed: ") + error.what());
  }
}

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_ERROR_H_
