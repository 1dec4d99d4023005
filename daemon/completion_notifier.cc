#include "daemon/completion_notifier.h"

#include <algorithm>
#include <chrono>

namespace hal::daemon {
namespace {

// Polling intervals: short right after progress, growing while a long copy
// (or the kernel before it) runs.
constexpr std::chrono::microseconds kFirstPoll(20);
constexpr std::chrono::microseconds kLongestPoll(1000);

}  // namespace

CompletionNotifier::CompletionNotifier(std::shared_ptr<Device> device, Send send)
    : device_(std::move(device)), send_(std::move(send)), poller_([this] { Poll(); }) {}

CompletionNotifier::~CompletionNotifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  poller_.join();
}

absl::StatusOr<std::shared_ptr<Event>> CompletionNotifier::AcquireMarker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!spares_.empty()) {
      std::shared_ptr<Event> marker = std::move(spares_.back());
      spares_.pop_back();
      return marker;
    }
  }
  return device_->CreateEvent();
}

void CompletionNotifier::Add(std::shared_ptr<Event> marker,
                             std::unique_ptr<remote::v1::DaemonMessage> message,
                             std::shared_ptr<const void> keep_alive) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(Pending{std::move(marker), std::move(message), std::move(keep_alive)});
  }
  wake_.notify_one();
}

void CompletionNotifier::FlushCompleted() {
  std::lock_guard<std::mutex> flush(flush_mu_);
  FlushLocked();
}

bool CompletionNotifier::FlushLocked() {
  std::vector<Pending> reached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      // A marker whose queue failed is as good as reached: the client learns
      // of the failure from the stream, and must not wait for its range.
      absl::StatusOr<bool> complete = it->marker->IsComplete();
      if (complete.ok() && !*complete) {
        ++it;
        continue;
      }
      reached.push_back(std::move(*it));
      it = pending_.erase(it);
    }
  }
  for (Pending& entry : reached) {
    // A failed send means the client is gone; its reader sees that too.
    if (entry.message != nullptr) send_(*entry.message).IgnoreError();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (Pending& entry : reached) spares_.push_back(std::move(entry.marker));
  return !reached.empty();
}

void CompletionNotifier::Poll() {
  std::chrono::microseconds interval = kFirstPoll;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      interval = kFirstPoll;
      continue;
    }
    lock.unlock();
    bool progressed;
    {
      std::lock_guard<std::mutex> flush(flush_mu_);
      progressed = FlushLocked();
    }
    lock.lock();
    interval = progressed ? kFirstPoll : std::min(interval * 2, kLongestPoll);
    wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

}  // namespace hal::daemon
