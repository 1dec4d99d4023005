// A bounded poll for work that is about to finish. hald answers a
// StreamSynchronize that arrives in the same frame as a short dispatch: the
// stream worker, still spinning from its last command, finishes it within a
// microsecond or two. Polling that long first spares the blocking path its
// cost (arming the standby receiver: two epoll_ctl calls, and the driver's
// own wait), which is a good part of a round trip's CPU time on the serial
// path between tenant and hald. The bound keeps a long kernel's wait from
// spinning, and the poll yields the core after the first microsecond, so a
// worker that shares this thread's core (a busy machine) runs meanwhile.
#ifndef HAL_DAEMON_BRIEF_POLL_H_
#define HAL_DAEMON_BRIEF_POLL_H_

#include <sched.h>

#include <chrono>

namespace hal::daemon {

// The longest a receiver polls before it blocks.
inline constexpr std::chrono::microseconds kBriefPollBudget{4};
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
