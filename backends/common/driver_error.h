// Error reporting of every driver. Per the ABI, a failed call leaves a message
// for the calling thread that last_error_message() returns until the thread's
// next failure.
#ifndef HAL_BACKENDS_COMMON_DRIVER_ERROR_H_
#define HAL_BACKENDS_COMMON_DRIVER_ERROR_H_

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <new>
#include <string_view>

#include "hal/driver/hal_driver.h"

namespace hal::driver_support {

// The longest message kept, terminator included; longer ones are truncated.
// Large enough for a JIT log's first lines.
inline constexpr size_t kMaxErrorMessageSize = 4096;

// Records `message` as this thread's last error and returns `result`, so a
// failure path reads `return Fail(HAL_ERROR_NOT_FOUND, ...);`.
hal_result Fail(hal_result result, std::string_view message) noexcept;

// The same for a message in parts, joined without allocating (what follows a
// failed allocation must not allocate again).
hal_result Fail(hal_result result, std::initializer_list<std::string_view> parts) noexcept;

// This thread's last error message; "" before any failure. Never null.
const char* LastErrorMessage() noexcept;

// Runs a call (returning hal_result) and turns any C++ exception, which must
// not cross the C ABI, into a result with a message that names the driver
// ("the CPU driver ran out of host memory"). A driver defines its own:
//   inline constexpr driver_support::ExceptionBarrier Guarded{"the CPU driver"};
// and wraps each entry point's body: `return Guarded([&] { ... });`.
class ExceptionBarrier {
 public:
  constexpr explicit ExceptionBarrier(std::string_view driver) : driver_(driver) {}

  template <typename Call>
  hal_result operator()(const Call& call) const noexcept {
    try {
      return call();
    } catch (const std::bad_alloc&) {
      return Fail(HAL_ERROR_OUT_OF_MEMORY, {driver_, " ran out of host memory"});
    } catch (const std::exception& error) {
      return Fail(HAL_ERROR_INTERNAL, {driver_, " failed: ", error.what()});
    }
  }

 private:
  std::string_view driver_;
};

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_DRIVER_ERROR_H_
