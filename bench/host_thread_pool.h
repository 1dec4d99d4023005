// A fixed set of worker threads that run one parallel loop at a time, split in
// contiguous chunks: the plain C++ counterpart of the CPU driver's thread pool
// for baseline measurements. The threads live as long as the pool, so a
// measured loop pays for waking them, never for starting them.
// ParallelFor is called from one thread at a time.
#ifndef HAL_BENCH_HOST_THREAD_POOL_H_
#define HAL_BENCH_HOST_THREAD_POOL_H_

#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace hal::bench {

class HostThreadPool {
 public:
  using ChunkFn = absl::FunctionRef<void(size_t begin, size_t end)>;

  explicit HostThreadPool(unsigned thread_count);
  ~HostThreadPool();
  HostThreadPool(const HostThreadPool&) = delete;
  HostThreadPool& operator=(const HostThreadPool&) = delete;

  unsigned thread_count() const { return thread_count_; }

  // Splits [0, count) into thread_count() contiguous chunks of near-equal
  // size, runs `chunk` on each from its own worker, and returns when all did.
  void ParallelFor(size_t count, ChunkFn chunk);

 private:
  void WorkerLoop(unsigned worker_index);

  const unsigned thread_count_;
  absl::Mutex mutex_;
  // Bumped once per ParallelFor; a worker runs its chunk once per value.
  uint64_t generation_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t count_ ABSL_GUARDED_BY(mutex_) = 0;
  const ChunkFn* chunk_ ABSL_GUARDED_BY(mutex_) = nullptr;
  unsigned running_workers_ ABSL_GUARDED_BY(mutex_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_HOST_THREAD_POOL_H_
