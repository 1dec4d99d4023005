// The ABI's opaque handles are pointers to the CPU driver's own objects; these
// functions convert between the two and hand ownership across the ABI.
#ifndef HAL_BACKENDS_CPU_CPU_HANDLES_H_
#define HAL_BACKENDS_CPU_CPU_HANDLES_H_

#include <memory>

#include "backends/common/driver_handles.h"
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

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, EventRef, Module, Kernel>
    Unwrap{};
inline constexpr driver_support::Destroyer<decltype(Unwrap)> Destroy{};
using driver_support::Wrap;

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_HANDLES_H_
