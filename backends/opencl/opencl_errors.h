// cl_int -> hal_result with the code's name in the message, e.g.
// "clCreateBuffer: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)" (gpu_core's
// VendorErrorTable). OpenCL has no sticky error a context could be lost by.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_ERRORS_H_
#define HAL_BACKENDS_OPENCL_OPENCL_ERRORS_H_

#include <string_view>

#include "backends/common/driver_error.h"
#include "backends/gpu_core/vendor_errors.h"
#include "backends/opencl/opencl_api.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

using driver_support::Fail;
using driver_support::LastErrorMessage;

const gpu::VendorErrorTable& OpenClErrors();

// HAL_SUCCESS for CL_SUCCESS; otherwise the mapped result with the message
// "<function>: <CL name> (<code>)" and ": <detail>" when one is given.
hal_result Check(cl_int code, std::string_view function, std::string_view detail = {});

// Entry points run in it: no C++ exception crosses the C ABI.
inline constexpr driver_support::ExceptionBarrier Guarded{"the OpenCL driver"};

}  // namespace hal::opencl

// Calls the loader's `function` and checks its cl_int result.
#define HAL_CL(function, ...) \
  ::hal::opencl::Check(::hal::opencl::Api().function(__VA_ARGS__), #function)

// Returns from the enclosing function when a hal_result is not HAL_SUCCESS.
#define HAL_CL_RETURN_IF_FAILED(expression)                                                  \
  do {                                                                                       \
    if (const hal_result hal_result_value = (expression); hal_result_value != HAL_SUCCESS) { \
      return hal_result_value;                                                               \
    }                                                                                        \
  } while (false)

#endif  // HAL_BACKENDS_OPENCL_OPENCL_ERRORS_H_
