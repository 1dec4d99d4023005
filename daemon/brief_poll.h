// A bounded poll for work that is about to finish. hald answers a
// StreamSynchronize that arrives in the same frame as a short dispatch: the
// CPU driver's stream worker, still spinning from its last command, finishes
// it within a microsecond or two, and lavapipe's queue thread a noop dispatch
// in some tens. Polling that long first spares the blocking path its cost
// (arming the standby receiver: two epoll_ctl calls, and the driver's own
// wait, a futex sleep and wake-up), which is a good part of a round trip on
// the serial path between tenant and hald. The bound keeps a long kernel's
// wait from spinning, and the poll yields the core after the first
// microsecond, so a worker that shares this thread's core (a busy machine,
// lavapipe's threads on two vCPUs) runs meanwhile. 4 us covered the CPU
// driver but not lavapipe: there hald added 19-29 us to a noop round trip
// with it, 7-14 us with 50-200 us (bench/README.md).
#ifndef HAL_DAEMON_BRIEF_POLL_H_
#define HAL_DAEMON_BRIEF_POLL_H_

#include <sched.h>

#include <chrono>

namespace hal::daemon {

// The longest a receiver polls before it blocks: about a lavapipe noop
// dispatch's round trip here.
inline constexpr std::chrono::microseconds kBriefPollBudget{50};
// How much of it passes before each poll yields the core.
inline constexpr std::chrono::microseconds kBriefPollYieldAfter{1};

// Calls `done` until it returns true (then true) or `budget` has passed
// (then false). `done` is called at least once.
template <typename Done>
bool PollBriefly(const Done& done, std::chrono::nanoseconds budget = kBriefPollBudget) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (done()) return true;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed >= budget) return false;
    if (elapsed >= kBriefPollYieldAfter) sched_yield();
  }
}

}  // namespace hal::daemon

#endif  // HAL_DAEMON_BRIEF_POLL_H_
