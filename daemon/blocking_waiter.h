// Runs a session's blocking waits (StreamSynchronize, EventSynchronize,
// StreamDestroy) off its receiving thread, several at once, so that a wait on
// one stream never holds up the commands of another; and the helper threads
// that take over receiving when the receiver waits itself (receiver_role.h).
#ifndef HAL_DAEMON_BLOCKING_WAITER_H_
#define HAL_DAEMON_BLOCKING_WAITER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hal::daemon {

class BlockingWaiter {
 public:
  // At most `max_threads` waits run at once; more wait their turn.
  explicit BlockingWaiter(size_t max_threads) : max_threads_(max_threads) {}
  // Runs the jobs already given, then joins the threads.
  ~BlockingWaiter();
  BlockingWaiter(const BlockingWaiter&) = delete;
  BlockingWaiter& operator=(const BlockingWaiter&) = delete;

  // Runs `job` on a waiter thread (a new one when all are busy, up to the limit).
  void Run(std::function<void()> job);
  // Runs `job` on a thread now: an idle one or a new one under the limit.
  // False, and `job` is dropped, when every thread is busy at the limit.
  bool TryRun(std::function<void()> job);

 private:
  void Loop();
  // Queues `job` and wakes or starts a thread for it (mu_ held).
  void StartLocked(std::function<void()> job);

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  size_t idle_ = 0;                         // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;        // guarded by mu_
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_BLOCKING_WAITER_H_
