// Error reporting shared by the GPU drivers (CUDA, HIP). Per the ABI, a failed
// call leaves a message for the calling thread that last_error_message()
// returns until the thread's next failure.
#ifndef HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_
#define HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_

#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

// Records `message` as this thread's last error and returns `result`, so a
// failure path reads `return Fail(HAL_ERROR_NOT_FOUND, ...);`.
hal_result Fail(hal_result result, std::string_view message) noexcept;

// This thread's last error message; "" before any failure. Never null.
const char* LastErrorMessage() noexcept;

// Runs `call` (returning hal_result) and turns any C++ exception, which must
// not cross the C ABI, into a result with a message.
template <typename Call>
hal_result Guarded(const Call& call) noexcept {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY, "the driver ran out of host memory");
  } catch (const std::exception& error) {
    return Fail(HAL_ERROR_INTERNAL, std::string("the driver failed: ") + error.what());
  }
}

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_DRIVER_ERROR_H_
