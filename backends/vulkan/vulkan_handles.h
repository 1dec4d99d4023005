// The ABI's opaque handles are pointers to the Vulkan driver's own objects.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_
#define HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_

#include <memory>

#include "backends/common/driver_handles.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_event.h"
#include "backends/vulkan/vulkan_memory.h"
#include "backends/vulkan/vulkan_module.h"
#include "backends/vulkan/vulkan_stream.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event, Module, Kernel> Unwrap{};
inline constexpr driver_support::Destroyer<decltype(Unwrap)> Destroy{};
using driver_support::Wrap;

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_
