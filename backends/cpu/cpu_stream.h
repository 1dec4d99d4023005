// A CPU stream: an in-order queue of commands executed by one worker thread,
// which hands the parallel part of a command to its context's thread pool.
#ifndef HAL_BACKENDS_CPU_CPU_STREAM_H_
#define HAL_BACKENDS_CPU_CPU_STREAM_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/common/spin_wait.h"
#include "backends/common/thread_pool.h"
#include "backends/cpu/cpu_commands.h"
#include "backends/cpu/cpu_context.h"

namespace hal::cpu {

// Submit() and Synchronize() come from one thread at a time (the ABI makes
// callers serialize calls naming one stream); the worker runs concurrently.
class Stream {
 public:
  // Starts the worker. `context` must outlive the stream.
  explicit Stream(Context& context);
  // Finishes every submitted command, then joins the worker.
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Context& context() const { return context_; }

  void Submit(Command command);
  // Returns once every command submitted so far has completed.
  void Synchronize();
  // Whether every command submitted so far has completed; does not block.
  bool Idle() const;

 private:
  void WorkerLoop();

  Context& context_;
  std::mutex pending_mutex_;
  std::vector<Command> pending_;  // guarded by pending_mutex_
  // Commands submitted and completed since creation. The worker spins on
  // submitted_ and the submitter on completed_, so neither touches the mutex
  // while waiting.
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> stopping_{false};
  // Held by the worker from before it completes an event until completed_
  // counts that signal, so that a caller who saw the event complete and then
  // asks Idle() cannot see the signal still pending: Idle() takes it before
  // it answers "not idle".
  mutable std::mutex signal_mutex_;
  Waker work_submitted_;
  Waker work_completed_;
  std::thread worker_;  // last: it starts once everything it uses exists
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_STREAM_H_
