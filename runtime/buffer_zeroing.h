// Clears a tenant's new buffer before it is handed out, so no tenant reads
// what another left in the memory.
#ifndef HAL_RUNTIME_BUFFER_ZEROING_H_
#define HAL_RUNTIME_BUFFER_ZEROING_H_

#include "absl/status/status.h"
#include "runtime/object_states.h"

namespace hal::internal {

absl::Status ZeroNewBuffer(DeviceState& device, const BufferState& buffer);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_BUFFER_ZEROING_H_
