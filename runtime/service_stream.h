// The runtime's own stream on a device context, for work it does on a
// tenant's behalf (zeroing new buffers, eviction and restore copies): the
// enqueued work runs to completion before the call returns.
#ifndef HAL_RUNTIME_SERVICE_STREAM_H_
#define HAL_RUNTIME_SERVICE_STREAM_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime/object_states.h"

namespace hal::internal {

// Calls `enqueue` with the context's service stream (created on first use),
// then waits for it. `enqueue` returns the first failing driver result.
absl::Status RunOnServiceStream(
    DeviceState& device, absl::string_view what,
    const std::function<hal_result(const hal_driver_table&, hal_drv_stream*)>& enqueue);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_SERVICE_STREAM_H_
