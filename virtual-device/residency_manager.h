// Memory overcommit for one physical device of a pool: keeps the bytes
// resident on the device within its capacity by evicting buffers that no
// in-flight work uses (and that are not pinned) to host memory, the least
// important tenant's (VirtualDeviceSpec::priority) least recently used first,
// and restores them before the next submission that binds them.
// Data is never lost: eviction copies a buffer out before freeing its device
// memory. Where the device has HAL_CAPABILITY_VIRTUAL_MEMORY, buffers of at
// least its virtual-memory granularity are evicted at a stable address: their
// physical memory is decommitted and recommitted at the same device address
// (docs/virtual-devices.md); others are freed and allocated anew. Host copies stay within the pool's host memory limit; past it (or
// when the host has no memory left), eviction fails with ResourceExhausted.
// Thread-safe. One lock per device serializes residency decisions; the
// whole-buffer copies of eviction and restore run without it (the buffer is
// marked as moving), so other tenants' allocations and binds proceed.
#ifndef HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_
#define HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "runtime/object_states.h"
#include "runtime/residency.h"
#include "virtual-device/host_memory_budget.h"

namespace hal::internal {

struct ResidencyStats {
  uint64_t capacity_bytes = 0;
  uint64_t resident_bytes = 0;
  uint64_t evictions = 0;
  uint64_t restores = 0;
  uint64_t bytes_evicted = 0;
  uint64_t bytes_restored = 0;
  uint64_t stalls = 0;  // waits for in-flight work before room could be made
  // Evictions that decommitted the buffer's memory and kept its address
  // (HAL_CAPABILITY_VIRTUAL_MEMORY), of `evictions`.
  uint64_t stable_address_evictions = 0;
  uint64_t host_reserved_bytes = 0;  // at admission, for what may be evicted
  uint64_t host_used_bytes = 0;      // evicted contents and spare copies kept for reuse
};

class ResidencyManager final : public ResidencyController {
 public:
  ResidencyManager(std::string device_id, uint64_t capacity_bytes,
                   std::shared_ptr<HostMemoryBudget> host_budget)
      : device_id_(std::move(device_id)),
        capacity_(capacity_bytes),
        host_budget_(std::move(host_budget)) {}

  absl::Status AllocateResident(DeviceState& device, hal_buffer_kind kind, uint64_t size,
                                hal_drv_buffer** out_buffer, uint64_t* out_allocated) override;
  void Register(BufferState& buffer) override;
  bool Unregister(BufferState& buffer) override;
  absl::StatusOr<std::shared_ptr<const void>> Acquire(const std::shared_ptr<BufferState>& buffer,
                                                      bool may_wait,
                                                      hal_drv_buffer** handle) override;
  absl::Status Pin(BufferState& buffer) override;
  void Watch(CompletionSource& source) override;
  void Unwatch(CompletionSource& source) override;

  // Host memory admission reserved for this device's evictions (reported).
  void SetHostReservation(uint64_t bytes);
  // Fault injection: runs in every eviction and restore copy, with no lock
  // held, before the data moves.
  void SetCopyHook(std::function<void()> hook);

  ResidencyStats stats() const;

 private:
  using Lock = std::unique_lock<std::mutex>;
  // These need mu_ held through `lock` and may release it while they wait
  // or copy; callers re-check what they saw before.
  absl::Status MakeRoom(Lock& lock, uint64_t bytes, bool may_wait);
  absl::Status Evict(Lock& lock, BufferState& victim);
  absl::Status Restore(Lock& lock, BufferState& buffer, bool may_wait);
  void WaitUntilSettled(Lock& lock, const BufferState& buffer);
  // Releases the tokens of completed work on every watched queue; needs mu_
  // not held (a released token takes it).
  void CollectCompletedWork();
  void Release(BufferState& buffer);
  void RunCopyHook(Lock& lock);
  // Host memory for an evicted buffer's contents, within the pool's host
  // budget. Restored buffers give theirs back and later evictions reuse it:
  // memory the process already touched, rather than fresh pages faulted in
  // by every copy. Spares give way to new copies when the budget is tight.
  absl::StatusOr<std::vector<uint8_t>> TakeHostCopy(uint64_t size);  // needs mu_ held
  void KeepHostCopy(std::vector<uint8_t> copy);                      // needs mu_ held
  void DropHostCopy(uint64_t size);  // accounts for a copy freed; needs mu_ held

  // How long making room waits for other queues' in-flight work, and how
  // often it looks for completed work meanwhile (a driver event cannot wake
  // a waiter, so completion is polled).
  static constexpr std::chrono::seconds kStallLimit{10};
  static constexpr std::chrono::milliseconds kPollInterval{1};

  const std::string device_id_;
  const uint64_t capacity_;
  const std::shared_ptr<HostMemoryBudget> host_budget_;
  mutable std::mutex mu_;
  std::condition_variable changed_;                 // a buffer left flight or finished moving
  uint64_t resident_bytes_ = 0;                     // guarded by mu_
  uint64_t clock_ = 0;                              // guarded by mu_
  absl::flat_hash_set<BufferState*> evictable_;     // guarded by mu_
  std::vector<std::vector<uint8_t>> spare_copies_;  // guarded by mu_
  uint64_t spare_bytes_ = 0;                        // guarded by mu_
  uint64_t host_reserved_ = 0;                      // guarded by mu_
  uint64_t host_used_ = 0;  // saved and spare copies, taken from host_budget_; guarded by mu_
  std::function<void()> copy_hook_;  // guarded by mu_
  ResidencyStats counters_;          // guarded by mu_

  // Taken without mu_; a source's own lock nests inside.
  std::mutex sources_mu_;
  absl::flat_hash_set<CompletionSource*> sources_;  // guarded by sources_mu_
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_RESIDENCY_MANAGER_H_
