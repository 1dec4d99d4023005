#include "daemon/blocking_waiter.h"

namespace hal::daemon {

BlockingWaiter::~BlockingWaiter() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (std::thread& thread : threads) thread.join();
}

void BlockingWaiter::Run(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mu_);
  StartLocked(std::move(job));
}

bool BlockingWaiter::TryRun(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mu_);
  // Each queued job takes one idle thread when it wakes.
  if (stopping_ || (idle_ <= jobs_.size() && threads_.size() >= max_threads_)) return false;
  StartLocked(std::move(job));
  return true;
}

void BlockingWaiter::StartLocked(std::function<void()> job) {
  jobs_.push_back(std::move(job));
  if (idle_ < jobs_.size() && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Loop(); });
  } else {
    wake_.notify_one();
  }
}

void BlockingWaiter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) return;  // stopping, nothing left to run
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace hal::daemon
