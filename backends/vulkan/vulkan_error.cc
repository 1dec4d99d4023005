#include "backends/vulkan/vulkan_error.h"

#include <string>

namespace hal::vulkan {

std::string VkResultName(VkResult result) {
  switch (result) {
#define HAL_VK_RESULT_NAME(name) \
  case name:                     \
    return #name;
    HAL_VK_RESULT_NAME(VK_SUCCESS)
    HAL_VK_RESULT_NAME(VK_NOT_READY)
    HAL_VK_RESULT_NAME(VK_TIMEOUT)
    HAL_VK_RESULT_NAME(VK_INCOMPLETE)
    HAL_VK_RESULT_NAME(VK_ERROR_OUT_OF_HOST_MEMORY)
    HAL_VK_RESULT_NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    HAL_VK_RESULT_NAME(VK_ERROR_INITIALIZATION_FAILED)
    HAL_VK_RESULT_NAME(VK_ERROR_DEVICE_LOST)
    HAL_VK_RESULT_NAME(VK_ERROR_MEMORY_MAP_FAILED)
    HAL_VK_RESULT_NAME(VK_ERROR_LAYER_NOT_PRESENT)
    HAL_VK_RESULT_NAME(VK_ERROR_EXTENSION_NOT_PRESENT)
    HAL_VK_RESULT_NAME(VK_ERROR_FEATURE_NOT_PRESENT)
    HAL_VK_RESULT_NAME(VK_ERROR_INCOMPATIBLE_DRIVER)
    HAL_VK_RESULT_NAME(VK_ERROR_TOO_MANY_OBJECTS)
    HAL_VK_RESULT_NAME(VK_ERROR_FORMAT_NOT_SUPPORTED)
    HAL_VK_RESULT_NAME(VK_ERROR_FRAGMENTED_POOL)
    HAL_VK_RESULT_NAME(VK_ERROR_UNKNOWN)
    HAL_VK_RESULT_NAME(VK_ERROR_OUT_OF_POOL_MEMORY)
    HAL_VK_RESULT_NAME(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    HAL_VK_RESULT_NAME(VK_ERROR_FRAGMENTATION)
    HAL_VK_RESULT_NAME(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    HAL_VK_RESULT_NAME(VK_ERROR_INVALID_SHADER_NV)
#undef HAL_VK_RESULT_NAME
    default:
      return "VkResult(" + std::to_string(static_cast<int>(result)) + ")";
  }
}

hal_result FailVk(std::string_view call, VkResult result, hal_result otherwise) noexcept {
  hal_result mapped = otherwise;
  if (result == VK_ERROR_DEVICE_LOST) mapped = HAL_ERROR_UNAVAILABLE;
  if (result == VK_ERROR_OUT_OF_HOST_MEMORY || result == VK_ERROR_OUT_OF_DEVICE_MEMORY) {
    mapped = HAL_ERROR_OUT_OF_MEMORY;
  }
  try {
    return Fail(mapped, std::string(call) + " failed: " + VkResultName(result) + " (" +
                            std::to_string(static_cast<int>(result)) + ")");
  } catch (...) {
    return Fail(mapped, "a Vulkan call failed and its message could not be built");
  }
}

}  // namespace hal::vulkan
