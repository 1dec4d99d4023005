// Error reporting of the CPU driver: the drivers' shared one
// (backends/common/driver_error.h), its exceptions named as the CPU driver's.
#ifndef HAL_BACKENDS_CPU_CPU_ERROR_H_
#define HAL_BACKENDS_CPU_CPU_ERROR_H_

#include "backends/common/driver_error.h"

namespace hal::cpu {

using driver_support::Fail;
using driver_support::LastErrorMessage;

inline constexpr driver_support::ExceptionBarrier Guarded{"the CPU driver"};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_ERROR_H_
