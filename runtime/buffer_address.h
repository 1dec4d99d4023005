// The driver buffer behind a Buffer for a caller that hands its address (or
// its vendor object) out of hal: valid only if it cannot move while the
// caller holds on to it.
#ifndef HAL_RUNTIME_BUFFER_ADDRESS_H_
#define HAL_RUNTIME_BUFFER_ADDRESS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/buffer.h"
#include "hal/driver/hal_driver.h"

namespace hal::internal {

// Outside an overcommitted pool, the buffer's own driver buffer. Inside one,
// the driver buffer of a buffer that stays put: pinned (`pinned`), never
// evictable (registered host memory), or evicted in place (decommitted at its address, on a device with virtual memory),
// which is restored first if it was allocated evicted. FailedPrecondition,
// naming `what`, for any other: eviction would give it a new address.
absl::StatusOr<hal_drv_buffer*> StableDriverBuffer(const Buffer& buffer, bool pinned,
                                                   absl::string_view what);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_BUFFER_ADDRESS_H_
