// The ABI's opaque handles are pointers to the CPU driver's own objects; these
// functions convert between the two and hand ownership across the ABI.
#ifndef HAL_BACKENDS_CPU_CPU_HANDLES_H_
#define HAL_BACKENDS_CPU_CPU_HANDLES_H_

#include <memory>

#include "backends/cpu/cpu_context.h"
#include "backends/cpu/cpu_event.h"
#include "backends/cpu/cpu_memory.h"
#include "backends/cpu/cpu_module.h"
#include "backends/cpu/cpu_stream.h"
#include "hal/driver/hal_driver.h"

namespace hal::cpu {

// A handle owns what it points to, except a kernel, which its module owns.
// An event handle shares its event with the streams that still signal or
// wait on it.
using EventRef = std::shared_ptr<Event>;

inline Context* Unwrap(hal_drv_context* handle) { return reinterpret_cast<Context*>(handle); }
inline Buffer* Unwrap(hal_drv_buffer* handle) { return reinterpret_cast<Buffer*>(handle); }
inline Stream* Unwrap(hal_drv_stream* handle) { return reinterpret_cast<Stream*>(handle); }
inline EventRef* Unwrap(hal_drv_event* handle) { return reinterpret_cast<EventRef*>(handle); }
inline Module* Unwrap(hal_drv_module* handle) { return reinterpret_cast<Module*>(handle); }
inline Kernel* Unwrap(hal_drv_kernel* handle) { return reinterpret_cast<Kernel*>(handle); }

// Releases `object` to the caller as a `Handle`.
template <typename Handle, typename Object>
Handle* Wrap(std::unique_ptr<Object> object) {
  return reinterpret_cast<Handle*>(object.release());
}
template <typename Handle, typename Object>
Handle* Wrap(Object* borrowed) {
  return reinterpret_cast<Handle*>(borrowed);
}

// Destroys the object a handle owns.
template <typename Handle>
void Destroy(Handle* handle) {
  std::unique_ptr<std::remove_pointer_t<decltype(Unwrap(handle))>> owned(Unwrap(handle));
}

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_HANDLES_H_
