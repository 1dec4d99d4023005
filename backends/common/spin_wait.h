// Spin-then-block waiting for a driver's threads. The CPU driver's hand work
// to each other every few microseconds, and a futex sleep plus wake-up costs
// about as much as that, so a waiter first spins briefly on an atomic
// condition and only then sleeps on a condition variable.
#ifndef HAL_BACKENDS_COMMON_SPIN_WAIT_H_
#define HAL_BACKENDS_COMMON_SPIN_WAIT_H_

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace hal::driver_support {

// Tells the core that this thread busy-waits (x86 PAUSE, Arm YIELD), which
// saves power and leaves the pipeline to a hyperthread sibling.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a waiter spins before it sleeps: long enough to cover the gap
// between back-to-back submissions, short enough not to burn a core when idle.
inline constexpr std::chrono::microseconds kSpinDuration{30};
// After this much of the spin, each clock read also yields the core. On a
// machine with fewer cores than busy threads (hald on a small VM: the
// tenant, hald's receiver and this worker) a pure spin holds the core that
// the thread producing the awaited work needs; a yield hands it over when
// that thread is runnable here and costs one system call when none is.
inline constexpr std::chrono::microseconds kSpinBeforeYielding{2};

// A wake-up channel for conditions kept in atomics. Waiters spin on their
// condition for kSpinDuration, then sleep; NotifyAll() costs one load when
// nobody sleeps. Thread-safe.
//
// Contract: the store that makes a condition true and the loads inside
// `ready` are seq_cst (the default of std::atomic), and the storing thread
// calls NotifyAll() after it. Together with the seq_cst sleeper count this
// guarantees that either the waiter sees the condition or the notifier sees
// the sleeper, so no wake-up is lost.
class Waker {
 public:
  // Returns once ready() is true.
  template <typename Ready>
  void Wait(const Ready& ready);

  void NotifyAll();

 private:
  std::mutex mutex_;
  std::condition_variable condition_;
  std::atomic<uint32_t> sleepers_{0};
};

template <typename Ready>
void Waker::Wait(const Ready& ready) {
  if (ready()) return;
  // Reading the clock costs about as much as a few pauses, so check it rarely.
  constexpr uint32_t kPausesPerClockRead = 16;
  const auto start = std::chrono::steady_clock::now();
  const auto yield_from = start + kSpinBeforeYielding;
  const auto deadline = start + kSpinDuration;
  for (uint32_t pauses = 1;; ++pauses) {
    CpuRelax();
    if (ready()) return;
    if (pauses % kPausesPerClockRead != 0) continue;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    if (now >= yield_from) sched_yield();
  }
  sleepers_.fetch_add(1);
  {
    std::unique_lock lock(mutex_);
    condition_.wait(lock, ready);
  }
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

inline void Waker::NotifyAll() {
  if (sleepers_.load() == 0) return;
  // Taking the mutex orders this wake-up after a sleeper's last check of its
  // condition, which it makes while holding the mutex.
  { std::lock_guard lock(mutex_); }
  condition_.notify_all();
}

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_SPIN_WAIT_H_
