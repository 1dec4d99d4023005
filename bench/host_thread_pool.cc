#include "bench/host_thread_pool.h"

#include <algorithm>

namespace hal::bench {

HostThreadPool::HostThreadPool(unsigned thread_count) : thread_count_(std::max(thread_count, 1u)) {
  workers_.reserve(thread_count_);
  for (unsigned i = 0; i < thread_count_; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

HostThreadPool::~HostThreadPool() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
}

void HostThreadPool::ParallelFor(size_t count, ChunkFn chunk) {
  absl::MutexLock lock(&mutex_);
  count_ = count;
  chunk_ = &chunk;
  running_workers_ = thread_count();
  ++generation_;
  auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return running_workers_ == 0; };
  mutex_.Await(absl::Condition(&all_done));
  chunk_ = nullptr;
}

void HostThreadPool::WorkerLoop(unsigned worker_index) {
  uint64_t done_generation = 0;
  for (;;) {
    size_t count = 0;
    const ChunkFn* chunk = nullptr;
    {
      absl::MutexLock lock(&mutex_);
      auto has_work = [this, done_generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return stopping_ || generation_ != done_generation;
      };
      mutex_.Await(absl::Condition(&has_work));
      if (stopping_) return;
      done_generation = generation_;
      count = count_;
      chunk = chunk_;
    }
    const size_t begin = count * worker_index / thread_count_;
    const size_t end = count * (worker_index + 1) / thread_count_;
    if (begin < end) (*chunk)(begin, end);
    absl::MutexLock lock(&mutex_);
    --running_workers_;
  }
}

}  // namespace hal::bench
