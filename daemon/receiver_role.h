// Which of a session's threads receives its frames. One thread at a time
// receives and handles frames in order (the receiver). A receiver that must
// block on a wait (a StreamSynchronize of a busy stream) waits itself and
// answers from the thread that saw the work complete, with no hop to a
// waiter thread and back, while the session goes on receiving (a wait on one
// stream never holds up the commands of another):
//
// - BeginInlineWait: a standby thread, asleep in epoll_wait, is armed on the
//   socket (EPOLLONESHOT). Only if a frame arrives before the wait ends does
//   it wake and take receiving over; a short wait costs two epoll_ctl calls
//   and wakes no thread.
// - HandOff, when the standby is busy: receiving passes to a thread waiting
//   in Acquire, or to a helper thread started for it.
//
// The session's thread takes the role whenever it is free; a helper takes it
// once and returns to its pool after its own hand-off; the standby takes it
// only from an armed wait and goes back to sleep after its turn.
#ifndef HAL_DAEMON_RECEIVER_ROLE_H_
#define HAL_DAEMON_RECEIVER_ROLE_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "backends/remote/protocol/unique_fd.h"

namespace hal::daemon {

class ReceiverRole {
 public:
  // Starts a helper thread that calls AcquireAsHelper() and, when it returns
  // true, receives; false when no thread is free (the pool is at its limit).
  using StartHelper = std::function<bool()>;
  // `receive_turn` receives and handles frames while the calling thread
  // holds the role (the standby's turn); `socket` is the connection's
  // descriptor, which the standby watches (-1: no standby).
  ReceiverRole(StartHelper start_helper, std::function<void()> receive_turn, int socket);
  ~ReceiverRole();  // StopStandby()
  ReceiverRole(const ReceiverRole&) = delete;
  ReceiverRole& operator=(const ReceiverRole&) = delete;

  // The calling thread becomes the receiver: at once when the role is free,
  // else once it is handed off. False once receiving has ended (End()).
  // The session's thread calls Acquire(), the helpers StartHelper starts
  // AcquireAsHelper() (HandOff counted them as takers already).
  bool Acquire();
  bool AcquireAsHelper();
  // Whether the calling thread is the receiver (a thread that handed off,
  // or whose armed wait the standby took over, is not).
  bool HoldsRole() const;

  // Called by the receiver before it blocks: arms the standby. False when
  // the standby is busy (or could not be set up); the caller then hands off.
  bool BeginInlineWait();
  // After the wait: disarms the standby; the caller may have lost the role.
  void EndInlineWait();
  // Called by the receiver before it blocks: the role passes to a waiting
  // taker, or to a new helper. False, and the caller stays the receiver,
  // when no helper thread could be started (the caller must not block then).
  bool HandOff();

  // Called by the receiver when the connection ended with `status` (the
  // first one is kept): every taker's Acquire() returns false from now on.
  void End(absl::Status status);
  // The status End() was given (OK before it was called).
  absl::Status end_status() const;
  // Ends the standby thread once its turn (and its wait) is over; call it
  // after End(), before freeing what a turn uses.
  void StopStandby();

 private:
  bool TakeWhenFree(std::unique_lock<std::mutex>& lock);
  void TakeLocked();
  void ReleaseLocked();
  // Starts the standby thread and its epoll set (mu_ held).
  bool StartStandbyLocked();
  void StandbyLoop();
  // EPOLL_CTL_MOD of the socket's registration.
  void Watch(uint32_t events) const;

  const StartHelper start_helper_;
  const std::function<void()> receive_turn_;
  const int socket_;
  remote::UniqueFd epoll_;  // the socket and stop_; set once under mu_
  remote::UniqueFd stop_;   // an eventfd that ends the standby
  std::thread standby_;

  mutable std::mutex mu_;
  std::condition_variable free_;
  bool held_ = false;                // guarded by mu_
  std::thread::id holder_;           // guarded by mu_
  int waiting_ = 0;                  // threads in Acquire; guarded by mu_
  int starting_ = 0;                 // helpers started, not yet in Acquire; guarded by mu_
  bool armed_ = false;               // the holder waits with the standby armed; guarded by mu_
  bool standby_busy_ = false;        // the standby holds the role or waits; guarded by mu_
  std::optional<absl::Status> end_;  // guarded by mu_
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_RECEIVER_ROLE_H_
