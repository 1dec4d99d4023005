// Memory overcommit hooks: where a device's resident memory is bounded by a
// residency manager (virtual-device/residency_manager.h), the runtime routes
// allocations, frees and every submission that binds a buffer through these,
// so a buffer evicted to host memory is restored before any command uses it.
// Device contexts without one pay nothing.
#ifndef HAL_RUNTIME_RESIDENCY_H_
#define HAL_RUNTIME_RESIDENCY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "hal/driver/hal_driver.h"

namespace hal::internal {

struct BufferState;
struct DeviceState;

// Holds residency tokens of submitted work behind fences (a Queue). Thread-
// safe: any thread needing room may collect what completed.
class CompletionSource {
 public:
  virtual ~CompletionSource() = default;
  // Moves the objects retained by work whose fence completed into `out`; the
  // caller drops them after releasing its own locks (dropping a token takes
  // the residency controller's lock).
  virtual void TakeCompleted(std::vector<std::shared_ptr<const void>>& out) = 0;
};

class ResidencyController {
 public:
  virtual ~ResidencyController() = default;
  // Allocates through the driver, first evicting least-recently-used idle
  // buffers if the device's resident bytes would pass its capacity. May
  // instead return *out_buffer == nullptr: the buffer starts evicted (its
  // contents zeros) and becomes resident at its first use.
  virtual absl::Status AllocateResident(DeviceState& device, hal_buffer_kind kind, uint64_t size,
                                        hal_drv_buffer** out_buffer, uint64_t* out_allocated) = 0;
  // From now on the buffer may be evicted while no work uses it. Takes over
  // a buffer allocated evicted.
  virtual void Register(BufferState& buffer) = 0;
  // The buffer is being freed; returns whether it holds a driver buffer to
  // free too (resident, or decommitted at its reserved address).
  virtual bool Unregister(BufferState& buffer) = 0;
  // Before a submission binds `buffer`: restores it if evicted and keeps it
  // resident until the returned token is released (when the work completed).
  // *handle receives the driver buffer to bind. With `may_wait`, making room
  // may wait (bounded) for other queues' in-flight work; without, it fails
  // with ResourceExhausted at once.
  virtual absl::StatusOr<std::shared_ptr<const void>> Acquire(
      const std::shared_ptr<BufferState>& buffer, bool may_wait, hal_drv_buffer** handle) = 0;
  // Restores the buffer and keeps it resident for good (mapped memory must
  // not move under the host pointer). The pinned bytes are charged to the
  // tenant's pin limit; ResourceExhausted over it, with nothing changed.
  virtual absl::Status Pin(BufferState& buffer) = 0;
  // Queues whose completed work the controller collects when it needs room,
  // so a buffer leaves flight when its work completes, not when its queue
  // next synchronizes. A source is watched from creation to destruction.
  virtual void Watch(CompletionSource& source) = 0;
  virtual void Unwatch(CompletionSource& source) = 0;
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_RESIDENCY_H_
