// Memory overcommit for one physical device of a pool: keeps the bytes
// resident on the device within its capacity by evicting buffers that no
// in-flight work uses (and that are not pinned) to host memory, the least
// important tenant's (VirtualDeviceSpec::priority) least recently used first,
// and restores them before the next submission that binds them.
// Data is never lost: eviction copies a buffer out before freeing its device
// memory. Thread-safe; one lock per device serializes residency changes.
#ifndef HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_
#define HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "runtime/object_states.h"
#include "runtime/residency.h"

namespace hal::internal {

struct ResidencyStats {
  uint64_t capacity_bytes = 0;
  uint64_t resident_bytes = 0;
  uint64_t evictions = 0;
  uint64_t restores = 0;
  uint64_t bytes_evicted = 0;
  uint64_t bytes_restored = 0;
  uint64_t stalls = 0;  // waits for in-flight work before room could be made
};

class ResidencyManager final : public ResidencyController {
 public:
  ResidencyManager(std::string device_id, uint64_t capacity_bytes)
      : device_id_(std::move(device_id)), capacity_(capacity_bytes) {}

  absl::Status AllocateResident(DeviceState& device, hal_buffer_kind kind, uint64_t size,
                                hal_drv_buffer** out_buffer, uint64_t* out_allocated) override;
  void Register(BufferState& buffer) override;
  bool Unregister(BufferState& buffer) override;
  absl::StatusOr<std::shared_ptr<const void>> Acquire(const std::shared_ptr<BufferState>& buffer,
                                                      bool may_wait,
                                                      hal_drv_buffer** handle) override;
  absl::Status Pin(BufferState& buffer) override;

  ResidencyStats stats() const;

 private:
  absl::Status MakeRoom(uint64_t bytes, bool may_wait);      // needs mu_ held
  absl::Status Evict(BufferState& victim);                   // needs mu_ held
  absl::Status Restore(BufferState& buffer, bool may_wait);  // needs mu_ held
  void Release(BufferState& buffer);
  // Host memory for an evicted buffer's contents. Restored buffers give
  // theirs back, and later evictions reuse it: memory the process already
  // touched, rather than fresh pages faulted in by every copy.
  std::vector<uint8_t> TakeHostCopy(uint64_t size);  // needs mu_ held
  void KeepHostCopy(std::vector<uint8_t> copy);      // needs mu_ held

  // How long making room waits for other queues' in-flight work.
  static constexpr std::chrono::seconds kStallLimit{10};

  const std::string device_id_;
  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable_any released_;         // signalled when a buffer leaves flight
  uint64_t resident_bytes_ = 0;                  // guarded by mu_
  uint64_t clock_ = 0;                           // guarded by mu_
  absl::flat_hash_set<BufferState*> evictable_;  // guarded by mu_
  // Host copies kept for reuse, at most capacity_ bytes of them.
  std::vector<std::vector<uint8_t>> spare_copies_;  // guarded by mu_
  uint64_t spare_bytes_ = 0;                        // guarded by mu_
  ResidencyStats counters_;                         // guarded by mu_
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_
