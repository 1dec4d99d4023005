// What a session owes its client once queued copies have completed:
// DownloadComplete (the bytes are in the shared memory, or carried inline)
// and ShmReleased (an upload's range may be reused), each held back until a
// marker event, signalled on the copy's queue right after it, is reached.
// Inline uploads' bytes are kept alive the same way, with nothing to send.
//
// A thread polls the markers and sends what completed in the order the copies
// were queued (skipping ones still running, so a slow stream does not hold up
// another's). FlushCompleted() does the same at once: a session calls it
// before any answer that reports completion (a synchronized stream, a reached
// event), so the client always has the bytes before it learns the work is
// done.
#ifndef HAL_DAEMON_COMPLETION_NOTIFIER_H_
#define HAL_DAEMON_COMPLETION_NOTIFIER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "hal/device.h"
#include "hal/event.h"
#include "hal_remote.pb.h"

namespace hal::daemon {

class CompletionNotifier {
 public:
  using Send = std::function<absl::Status(const remote::v1::DaemonMessage&)>;
  CompletionNotifier(std::shared_ptr<Device> device, Send send);
  // Stops the thread and drops what is pending without sending it: call it
  // once the session's queues have drained (the client is gone by then).
  ~CompletionNotifier();
  CompletionNotifier(const CompletionNotifier&) = delete;
  CompletionNotifier& operator=(const CompletionNotifier&) = delete;

  // A marker event to signal after a copy (reused once its notification went).
  absl::StatusOr<std::shared_ptr<Event>> AcquireMarker();

  // After `marker` was signalled: send `message` (may be null) and release
  // `keep_alive` once the marker is reached.
  void Add(std::shared_ptr<Event> marker, std::unique_ptr<remote::v1::DaemonMessage> message,
           std::shared_ptr<const void> keep_alive = nullptr);

  // Sends every notification whose marker is reached, in the order added.
  void FlushCompleted();

 private:
  struct Pending {
    std::shared_ptr<Event> marker;
    // Heap-held: an inline download's bytes are written by the queue into
    // this message's string, which must not move.
    std::unique_ptr<remote::v1::DaemonMessage> message;
    std::shared_ptr<const void> keep_alive;
  };
  // Sends the reached ones; true when any was. Caller holds flush_mu_.
  bool FlushLocked();
  void Poll();

  const std::shared_ptr<Device> device_;
  const Send send_;
  // Held while sending, so that a FlushCompleted that returns has sent every
  // reached notification, even one another thread had taken.
  std::mutex flush_mu_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;                  // guarded by mu_
  std::vector<std::shared_ptr<Event>> spares_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::thread poller_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_COMPLETION_NOTIFIER_H_
