#include "backends/common/driver_error.h"

#include <algorithm>
#include <cstring>

namespace hal::driver_support {
namespace {

// A fixed buffer rather than a std::string: recording an error must not
// allocate (it also reports running out of memory), and a trivially
// destructible thread_local registers no destructor that would pin the driver
// in memory after dlclose.
thread_local char last_error[kMaxErrorMessageSize] = "";

}  // namespace

hal_result Fail(hal_result result, std::string_view message) noexcept {
  return Fail(result, {message});
}

hal_result Fail(hal_result result, std::initializer_list<std::string_view> parts) noexcept {
  // A part may be this buffer itself (a message extended): memmove.
  size_t length = 0;
  for (const std::string_view part : parts) {
    const size_t taken = std::min(part.size(), kMaxErrorMessageSize - 1 - length);
    std::memmove(last_error + length, part.data(), taken);
    length += taken;
  }
  last_error[length] = '\0';
  return result;
}

const char* LastErrorMessage() noexcept { return last_error; }

}  // namespace hal::driver_support
