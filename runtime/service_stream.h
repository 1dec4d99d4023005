// The runtime's own stream on a device context, for work it does on a
// tenant's behalf (zeroing new buffers, eviction and restore copies), and the
// fences that let other streams and the host wait for that work in stream
// order instead of the caller waiting for it.
#ifndef HAL_RUNTIME_SERVICE_STREAM_H_
#define HAL_RUNTIME_SERVICE_STREAM_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/object_states.h"

namespace hal::internal {

using ServiceWork = absl::FunctionRef<hal_result(const hal_driver_table&, hal_drv_stream*)>;

// Calls `enqueue` with the context's service stream (created on first use),
// then waits for it. `enqueue` returns the first failing driver result.
absl::Status RunOnServiceStream(DeviceState& device, absl::string_view what, ServiceWork enqueue);

// Calls `enqueue` with the service stream and returns a fence signalled when
// that work completes, without waiting. The fence is the caller's until it
// gives it back through FreeAfterFence.
absl::StatusOr<hal_drv_event*> EnqueueOnServiceStream(DeviceState& device, absl::string_view what,
                                                      ServiceWork enqueue);

// Frees `buffer` (may be null) of `bytes` once `fence` completed, normally
// without waiting for it: at once if it has, else when later service work
// finds it complete (a stream-ordered free), or at the latest when the context
// goes. Past 64 MiB of such frees on a context, waits for the service stream.
// Takes the fence back for reuse.
void FreeAfterFence(DeviceState& device, hal_drv_buffer* buffer, uint64_t bytes,
                    hal_drv_event* fence);

// Frees what FreeAfterFence deferred, waiting for the service stream; for the
// context's destruction.
void DrainServiceStream(DeviceState& device);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_SERVICE_STREAM_H_
