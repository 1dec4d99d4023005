// The ABI's opaque handles are pointers to the OpenCL driver's own objects.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_HANDLES_H_
#define HAL_BACKENDS_OPENCL_OPENCL_HANDLES_H_

#include "backends/common/driver_handles.h"
#include "backends/opencl/opencl_context.h"
#include "backends/opencl/opencl_event.h"
#include "backends/opencl/opencl_memory.h"
#include "backends/opencl/opencl_module.h"
#include "backends/opencl/opencl_stream.h"

namespace hal::opencl {

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event, Module, Kernel> Unwrap{};
inline constexpr driver_support::Destroyer<decltype(Unwrap)> Destroy{};
using driver_support::Wrap;

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_HANDLES_H_
