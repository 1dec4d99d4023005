#include "backends/gpu_core/driver_error.h"

#include <algorithm>
#include <cstring>

namespace hal::gpu {
namespace {

// A fixed buffer rather than a std::string: recording an error must not
// allocate (it also reports running out of memory), and a trivially
// destructible thread_local registers no destructor that would pin the driver
// in memory after dlclose. Large enough for a JIT log's first lines.
constexpr size_t kMaxMessageSize = 4096;
thread_local char last_error[kMaxMessageSize] = "";

}  // namespace

hal_result Fail(hal_result result, std::string_view message) noexcept {
  const size_t length = std::min(message.size(), kMaxMessageSize - 1);
  std::memcpy(last_error, message.data(), length);
  last_error[length] = '\0';
  return result;
}

const char* LastErrorMessage() noexcept { return last_error; }

}  // namespace hal::gpu
