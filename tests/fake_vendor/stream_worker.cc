#include "tests/fake_vendor/stream_worker.h"

#include <chrono>
#include <utility>

namespace hal::fake {

StreamWorker::StreamWorker() : thread_([this] { Run(); }) {}

StreamWorker::~StreamWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
}

void StreamWorker::Enqueue(std::function<void()> operation) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(operation), nullptr});
    ++enqueued_;
  }
  work_ready_.notify_one();
}

void StreamWorker::EnqueueMarker(std::function<void()> retired) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({nullptr, std::move(retired)});
    ++enqueued_;
  }
  work_ready_.notify_one();
}

void StreamWorker::WaitIdle() {
  std::unique_lock lock(mutex_);
  const uint64_t target = enqueued_;
  work_done_.wait(lock, [&] { return completed_ >= target; });
}

bool StreamWorker::Idle() const {
  std::lock_guard lock(mutex_);
  return completed_ == enqueued_;
}

void StreamWorker::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything ran
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (entry.operation) entry.operation();
    lock.lock();
    ++completed_;
    // Retired under the stream's lock, so no one sees the stream idle with
    // the marker's event not yet complete (cuStreamSynchronize then
    // cuEventQuery) nor the event complete with the stream still busy
    // (cuEventSynchronize then cuStreamQuery). Lock order: stream, then event.
    if (entry.retired) entry.retired();
    work_done_.notify_all();
  }
}

uint64_t FakeEvent::BeginRecord() {
  std::lock_guard lock(mutex_);
  return ++begun_;
}

void FakeEvent::Complete(uint64_t generation) {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  {
    std::lock_guard lock(mutex_);
    if (generation > completed_) {
      completed_ = generation;
      timestamp_ns_ = now;
    }
  }
  completed_cv_.notify_all();
}

void FakeEvent::WaitFor(uint64_t generation) const {
  std::unique_lock lock(mutex_);
  completed_cv_.wait(lock, [&] { return completed_ >= generation; });
}

uint64_t FakeEvent::latest() const {
  std::lock_guard lock(mutex_);
  return begun_;
}

bool FakeEvent::Completed() const {
  std::lock_guard lock(mutex_);
  return completed_ >= begun_;
}

int64_t FakeEvent::timestamp_ns() const {
  std::lock_guard lock(mutex_);
  return timestamp_ns_;
}

}  // namespace hal::fake
