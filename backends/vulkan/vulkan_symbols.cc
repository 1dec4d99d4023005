#include "backends/vulkan/vulkan_symbols.h"

namespace hal::vulkan {

#define HAL_VK_RESOLVE_REQUIRED(resolve, handle, table, name)        \
  table.name = reinterpret_cast<PFN_##name>(resolve(handle, #name)); \
  if (table.name == nullptr) {                                       \
    *missing = #name;                                                \
    return false;                                                    \
  }

bool LoadGlobalSymbols(InstanceSymbols& symbols, std::string* missing) {
#define X(name) \
  HAL_VK_RESOLVE_REQUIRED(symbols.vkGetInstanceProcAddr, VK_NULL_HANDLE, symbols, name)
  HAL_VK_GLOBAL_SYMBOLS(X)
#undef X
  return true;
}

bool LoadInstanceSymbols(VkInstance instance, InstanceSymbols& symbols, std::string* missing) {
#define X(name) HAL_VK_RESOLVE_REQUIRED(symbols.vkGetInstanceProcAddr, instance, symbols, name)
  HAL_VK_INSTANCE_SYMBOLS(X)
#undef X
#define X(name) \
  symbols.name = reinterpret_cast<PFN_##name>(symbols.vkGetInstanceProcAddr(instance, #name));
  HAL_VK_OPTIONAL_INSTANCE_SYMBOLS(X)
#undef X
  return true;
}

bool LoadDeviceSymbols(const InstanceSymbols& instance_symbols, VkDevice device,
                       DeviceSymbols& symbols, std::string* missing) {
#define X(name) HAL_VK_RESOLVE_REQUIRED(instance_symbols.vkGetDeviceProcAddr, device, symbols, name)
  HAL_VK_DEVICE_SYMBOLS(X)
#undef X
#define X(name) \
  symbols.name = reinterpret_cast<PFN_##name>(instance_symbols.vkGetDeviceProcAddr(device, #name));
  HAL_VK_OPTIONAL_DEVICE_SYMBOLS(X)
#undef X
  return true;
}

#undef HAL_VK_RESOLVE_REQUIRED

}  // namespace hal::vulkan
