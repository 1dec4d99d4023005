// Whether a device context can still be used. A device-lost failure
// (Unavailable) of any of its work is sticky: later calls fail at once with
// the first failure instead of reaching a driver whose context is gone, while
// other contexts (other virtual devices) carry on. Also holds the armed
// fault of the fault-injection layer. A context is also unusable in a child
// process after fork(): its driver's threads were not copied into the child,
// so a call would wait for them forever. Thread-safe; the hot path is a few
// atomic loads.
#ifndef HAL_RUNTIME_CONTEXT_HEALTH_H_
#define HAL_RUNTIME_CONTEXT_HEALTH_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/status.h"

namespace hal::internal {

class ContextHealth {
 public:
  ContextHealth();

  // OK, or Unavailable if the context was lost or this is a forked child.
  absl::Status CheckUsable(const std::string& label) const {
    if (!lost_.load(std::memory_order_acquire) &&
        fork_generation_ == forks_.load(std::memory_order_relaxed)) {
      return absl::OkStatus();
    }
    return UnusableStatus(label);
  }
  // Marks the context lost when `status` says the device was lost.
  void Record(const absl::Status& status);
  void ArmFault() { fault_armed_.store(true, std::memory_order_release); }
  // True once per armed fault.
  bool TakeFault() {
    return fault_armed_.load(std::memory_order_relaxed) &&
           fault_armed_.exchange(false, std::memory_order_acq_rel);
  }

 private:
  absl::Status UnusableStatus(const std::string& label) const;

  // Counts the fork() calls this process descends from since libhal loaded;
  // a pthread_atfork handler increments it in each child.
  static std::atomic<uint32_t> forks_;
  const uint32_t fork_generation_;  // forks_ when the context was created
  std::atomic<bool> lost_{false};
  std::atomic<bool> fault_armed_{false};
  mutable std::mutex mu_;
  absl::Status first_failure_;  // guarded by mu_
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_CONTEXT_HEALTH_H_
