// Clears a tenant's new buffer before anyone uses it, so no tenant reads what
// another left in the memory. The clear runs in stream order on the service
// stream: allocation only enqueues it, and every use of the buffer (a queue's
// submission, a host mapping, eviction on the same service stream) waits for
// its fence until it is seen complete. Small buffers of memory the host can
// map (64 KiB at most) are cleared in place by the allocating thread instead,
// which is cheaper than any hand-off.
#ifndef HAL_RUNTIME_BUFFER_ZEROING_H_
#define HAL_RUNTIME_BUFFER_ZEROING_H_

#include "absl/status/status.h"
#include "runtime/object_states.h"

namespace hal::internal {

// Enqueues zeros over the first `size` bytes of `buffer` on `stream`.
hal_result EnqueueZeroFill(const hal_driver_table& table, hal_drv_stream* stream,
                           hal_drv_buffer* buffer, uint64_t size);

// Enqueues the clear of a new buffer and arms its fence; returns at once.
absl::Status ZeroNewBuffer(DeviceState& device, BufferState& buffer);

// Makes `stream` wait for the buffer's clear, if it may still be running.
absl::Status OrderAfterZeroing(BufferState& buffer, hal_drv_stream* stream);

// Waits on the host for the buffer's clear, if it may still be running.
absl::Status WaitForZeroing(BufferState& buffer);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_BUFFER_ZEROING_H_
