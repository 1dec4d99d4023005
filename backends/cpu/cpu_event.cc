#include "backends/cpu/cpu_event.h"

#include <chrono>

namespace hal::cpu {

void Event::CompleteSignal(uint64_t generation) {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  const uint64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  {
    std::lock_guard lock(completion_mutex_);
    if (generation > completed_.load()) {
      timestamp_ns_.store(now_ns);
      completed_.store(generation);
    }
  }
  waker_.NotifyAll();
}

void Event::WaitFor(uint64_t generation) {
  waker_.Wait([this, generation] { return HasCompleted(generation); });
}

}  // namespace hal::cpu
