// Bounded polls for what is about to happen, before a thread blocks for it.
// On the serial path between tenant and hald every futex sleep and wake-up
// costs some microseconds (more on a VM), a good part of a round trip, and a
// short wait polled away costs none; the bound keeps a long wait from
// spinning, and the poll yields the core after the first microsecond, so a
// thread that shares this one's core (a busy machine, lavapipe's threads on
// two vCPUs) runs meanwhile.
//
// - hald answers a StreamSynchronize that arrives in the same frame as a
//   short dispatch: the CPU driver's stream worker, still spinning from its
//   last command, finishes it within a microsecond or two, and lavapipe's
//   queue thread a noop dispatch in some tens. With a 4 us budget hald took
//   the blocking path (the standby receiver armed, the driver's own wait)
//   on lavapipe every time and added 19-21 us to a noop round trip (25-29
//   in full bench runs); with 50-200 us, 7-14 us.
// - Both ends of a connection poll for the next frame before poll() blocks
//   (Channel): the answer to a request, the next request of a tenant in a
//   loop. That took lavapipe's noop round trip through hald from +11..+33 us
//   over local to within its noise (bench/README.md).
#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_BRIEF_POLL_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_BRIEF_POLL_H_

#include <sched.h>

#include <chrono>

namespace hal::remote {

// The longest hald polls a synchronized stream before it blocks: about a
// lavapipe noop dispatch's round trip here.
inline constexpr std::chrono::microseconds kSynchronizePollBudget{50};
// The longest a connection's end polls for the next frame before it blocks.
inline constexpr std::chrono::microseconds kReceivePollBudget{30};
// How much of a budget passes before each poll yields the core.
inline constexpr std::chrono::microseconds kBriefPollYieldAfter{1};

// Calls `done` until it returns true (then true) or `budget` has passed
// (then false). `done` is called at least once.
template <typename Done>
bool PollBriefly(const Done& done, std::chrono::nanoseconds budget) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (done()) return true;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed >= budget) return false;
    if (elapsed >= kBriefPollYieldAfter) sched_yield();
  }
}

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_BRIEF_POLL_H_
