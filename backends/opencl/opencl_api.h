// The OpenCL entry points the driver uses, resolved at run time from the ICD
// loader (libOpenCL.so.1), which forwards each call to the vendor driver of
// the object it names. The loader exports every OpenCL 3.0 name whatever the
// vendor implements, so dlsym is enough; a vendor that lacks a function
// answers it with an error (clCreateProgramWithIL: CL_INVALID_OPERATION, or
// -30 from pocl 3.1), which is why the device's IL version decides IL use.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_API_H_
#define HAL_BACKENDS_OPENCL_OPENCL_API_H_

// OpenCL 1.2 is what the driver needs of a device; the 3.0 headers declare
// every later name too. clCreateCommandQueue is 1.2's (deprecated in 2.0, in
// every loader and driver still).
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include "hal/driver/hal_driver.h"

// X(name, OpenCL version that added it, optional group or nullptr)
#define HAL_OPENCL_SYMBOLS(X)                   \
  X(clGetPlatformIDs, 100, nullptr)             \
  X(clGetPlatformInfo, 100, nullptr)            \
  X(clGetDeviceIDs, 100, nullptr)               \
  X(clGetDeviceInfo, 100, nullptr)              \
  X(clCreateSubDevices, 120, nullptr)           \
  X(clReleaseDevice, 120, nullptr)              \
  X(clCreateContext, 100, nullptr)              \
  X(clReleaseContext, 100, nullptr)             \
  X(clCreateCommandQueue, 100, nullptr)         \
  X(clReleaseCommandQueue, 100, nullptr)        \
  X(clCreateBuffer, 100, nullptr)               \
  X(clCreateSubBuffer, 110, nullptr)            \
  X(clReleaseMemObject, 100, nullptr)           \
  X(clEnqueueMapBuffer, 100, nullptr)           \
  X(clEnqueueUnmapMemObject, 100, nullptr)      \
  X(clEnqueueReadBuffer, 100, nullptr)          \
  X(clEnqueueWriteBuffer, 100, nullptr)         \
  X(clEnqueueCopyBuffer, 100, nullptr)          \
  X(clEnqueueFillBuffer, 120, nullptr)          \
  X(clEnqueueNDRangeKernel, 100, nullptr)       \
  X(clEnqueueMarkerWithWaitList, 120, nullptr)  \
  X(clEnqueueBarrierWithWaitList, 120, nullptr) \
  X(clFlush, 100, nullptr)                      \
  X(clFinish, 100, nullptr)                     \
  X(clWaitForEvents, 100, nullptr)              \
  X(clGetEventInfo, 100, nullptr)               \
  X(clGetEventProfilingInfo, 100, nullptr)      \
  X(clRetainEvent, 100, nullptr)                \
  X(clReleaseEvent, 100, nullptr)               \
  X(clCreateProgramWithSource, 100, nullptr)    \
  X(clCreateProgramWithIL, 210, kIlGroup)       \
  X(clBuildProgram, 100, nullptr)               \
  X(clGetProgramBuildInfo, 100, nullptr)        \
  X(clGetProgramInfo, 100, nullptr)             \
  X(clReleaseProgram, 100, nullptr)             \
  X(clCreateKernel, 100, nullptr)               \
  X(clReleaseKernel, 100, nullptr)              \
  X(clSetKernelArg, 100, nullptr)               \
  X(clGetKernelInfo, 100, nullptr)              \
  X(clGetKernelArgInfo, 120, nullptr)           \
  X(clGetKernelWorkGroupInfo, 100, nullptr)

namespace hal::opencl {

inline constexpr char kIlGroup[] = "SPIR-V programs";

struct OpenClApi {
#define HAL_OPENCL_DECLARE_MEMBER(name, version, group) decltype(&::name) name = nullptr;
  HAL_OPENCL_SYMBOLS(HAL_OPENCL_DECLARE_MEMBER)
#undef HAL_OPENCL_DECLARE_MEMBER
  bool has_il = false;
};

// Opens libOpenCL.so.1 (kept open until the process ends: vendor ICDs do not
// support being unloaded) and resolves every entry point into Api(). On
// failure HAL_ERROR_UNAVAILABLE with the reason: the dlerror text, or the
// required functions the loader lacks (an OpenCL 1.1 loader).
hal_result LoadOpenClApi();

// The entry points LoadOpenClApi resolved.
const OpenClApi& Api();

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_API_H_
