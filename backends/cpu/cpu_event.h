// Events of the CPU driver. Each submitted signal gets the next generation
// number; the stream worker that reaches it completes that generation and
// stamps the time. The event counts as signalled when its latest submitted
// generation has completed, so re-signalling resets it until the new signal
// is reached. Thread-safe.
#ifndef HAL_BACKENDS_CPU_CPU_EVENT_H_
#define HAL_BACKENDS_CPU_CPU_EVENT_H_

#include <atomic>
#include <cstdint>
#include <mutex>

#include "backends/common/spin_wait.h"

namespace hal::cpu {

using driver_support::Waker;

class Event {
 public:
  // At submission of a signal: returns the generation that signal completes.
  uint64_t BeginSignal() { return submitted_.fetch_add(1) + 1; }
  // The latest submitted generation; 0 if the event was never signalled.
  uint64_t latest_signal() const { return submitted_.load(); }

  // Called by a stream worker when it reaches the signal of `generation`:
  // stamps the steady clock (ns since its epoch) and wakes the waiters.
  void CompleteSignal(uint64_t generation);

  bool HasCompleted(uint64_t generation) const { return completed_.load() >= generation; }
  // Returns once `generation` has completed; spins briefly, then sleeps.
  void WaitFor(uint64_t generation);
  // The time of the newest completed generation; meaningful once one has.
  uint64_t timestamp_ns() const { return timestamp_ns_.load(); }

 private:
  std::atomic<uint64_t> submitted_{0};
  // Only grows: streams may complete signals out of generation order, and an
  // older completion must not hide a newer one.
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> timestamp_ns_{0};  // stored before completed_
  std::mutex completion_mutex_;            // pairs timestamp_ns_ with completed_
  Waker waker_;
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_EVENT_H_
