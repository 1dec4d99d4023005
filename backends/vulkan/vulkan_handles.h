// The ABI's opaque handles are pointers to the Vulkan driver's own objects.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_
#define HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_

#include <memory>
#include <type_traits>

#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_event.h"
#include "backends/vulkan/vulkan_memory.h"
#include "backends/vulkan/vulkan_module.h"
#include "backends/vulkan/vulkan_stream.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

inline Context* Unwrap(hal_drv_context* handle) { return reinterpret_cast<Context*>(handle); }
inline Buffer* Unwrap(hal_drv_buffer* handle) { return reinterpret_cast<Buffer*>(handle); }
inline Stream* Unwrap(hal_drv_stream* handle) { return reinterpret_cast<Stream*>(handle); }
inline Event* Unwrap(hal_drv_event* handle) { return reinterpret_cast<Event*>(handle); }
inline Module* Unwrap(hal_drv_module* handle) { return reinterpret_cast<Module*>(handle); }
inline Kernel* Unwrap(hal_drv_kernel* handle) { return reinterpret_cast<Kernel*>(handle); }

// Releases `object` to the caller as a `Handle`; a kernel is borrowed from
// its module.
template <typename Handle, typename Object>
Handle* Wrap(std::unique_ptr<Object> object) {
  return reinterpret_cast<Handle*>(object.release());
}
template <typename Handle, typename Object>
Handle* Wrap(Object* borrowed) {
  return reinterpret_cast<Handle*>(borrowed);
}

template <typename Handle>
void Destroy(Handle* handle) {
  std::unique_ptr<std::remove_pointer_t<decltype(Unwrap(handle))>> owned(Unwrap(handle));
}

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_HANDLES_H_
