// A fake device stream: one thread running the stream's operations in the
// order they were enqueued, as a device queue does. Operations are plain
// closures; whatever a vendor API needs (copies, kernels, event records,
// waits) is built from them.
#ifndef HAL_TESTS_FAKE_VENDOR_STREAM_WORKER_H_
#define HAL_TESTS_FAKE_VENDOR_STREAM_WORKER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hal::fake {

class StreamWorker {
 public:
  StreamWorker();
  // Finishes every enqueued operation, then stops the thread.
  ~StreamWorker();
  StreamWorker(const StreamWorker&) = delete;
  StreamWorker& operator=(const StreamWorker&) = delete;

  void Enqueue(std::function<void()> operation);
  // Runs `retired` when the stream counts everything up to here as done,
  // under the stream's lock, so that whoever it wakes (an event's waiters)
  // sees the stream idle if nothing followed, and whoever sees the stream
  // idle sees what `retired` did. `retired` must not call into the worker.
  void EnqueueMarker(std::function<void()> retired);
  // Blocks until every operation enqueued so far has run.
  void WaitIdle();
  // True when every operation enqueued so far has run.
  bool Idle() const;

 private:
  void Run();

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  struct Entry {
    std::function<void()> operation;  // runs in order
    std::function<void()> retired;    // runs after the entry counts as completed
  };
  std::deque<Entry> queue_;
  uint64_t enqueued_ = 0;
  uint64_t completed_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// An event on fake streams: a record is enqueued on a stream and completes,
// with a steady-clock timestamp, when the stream reaches it. Waits and
// queries refer to the latest record made before them, as vendor events do.
class FakeEvent {
 public:
  // Called when the record is enqueued; returns its generation.
  uint64_t BeginRecord();
  // Called by the stream when it reaches record `generation`.
  void Complete(uint64_t generation);
  // Blocks until record `generation` (and all before it) completed.
  void WaitFor(uint64_t generation) const;
  // The latest generation begun (0: never recorded).
  uint64_t latest() const;
  // Whether the latest record completed (true when never recorded).
  bool Completed() const;
  // Nanoseconds of the steady clock when the latest record completed;
  // only meaningful when Completed() and latest() > 0.
  int64_t timestamp_ns() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable completed_cv_;
  uint64_t begun_ = 0;
  uint64_t completed_ = 0;
  int64_t timestamp_ns_ = 0;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_STREAM_WORKER_H_
