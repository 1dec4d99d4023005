// Helper threads that run the parts of one job in parallel: the workgroups of
// a CPU-driver dispatch, the blocks of a large copy or fill (the CPU driver's,
// and the remote driver's copies into buffers it shares with hald). One pool
// per context, sized to the CPUs the process may run on; the thread that
// submits a job takes part in it.
#ifndef HAL_BACKENDS_COMMON_THREAD_POOL_H_
#define HAL_BACKENDS_COMMON_THREAD_POOL_H_

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/common/spin_wait.h"

namespace hal::driver_support {

// Thread-safe. Jobs submitted from several threads at once (several streams)
// run one after another, each with every helper: a job already fills the
// machine, so running two side by side would only make both slower.
// The CPUs this process may run on (its affinity mask, which a container or
// taskset narrows), at least 1. The thread pools are sized to it.
uint32_t UsableCpuCount();

class ThreadPool {
 public:
  // Starts `helper_count` threads (0 is valid: every job then runs inline).
  explicit ThreadPool(uint32_t helper_count);
  // Joins the helpers. No job may be running. A forked child's copy joins
  // nothing: the helpers are the parent's threads, which the child does not
  // have.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Calls body(begin, end) on disjoint, contiguous ranges that together cover
  // [0, count) exactly once, from the calling thread and the helpers, and
  // returns when every call has returned. A count of 1 runs inline without
  // waking anyone.
  template <typename Body>
  void ParallelFor(uint64_t count, const Body& body);

  // Calls body(begin, end) on byte ranges covering [0, size), blocks of
  // kBlockBytes shared out by ParallelFor: copies and fills. One block or
  // less runs on the caller alone, as waking helpers would cost more than it
  // saves.
  template <typename Body>
  void ForEachBlock(uint64_t size, const Body& body);
  static constexpr uint64_t kBlockBytes = uint64_t{1} << 20;

  // memcpy's contract, in ForEachBlock's blocks; with `streaming_stores`,
  // each block through StreamingCopy (streaming_stores.h). `destination` and
  // `source` do not overlap.
  void Copy(void* destination, const void* source, size_t size, bool streaming_stores);

 private:
  // A type-erased view of the body, which lives on the submitter's stack.
  struct RangeFunction {
    void (*invoke)(const void* body, uint64_t begin, uint64_t end);
    const void* body;
  };
  // The job helpers take part in. Written only while no helper takes part
  // (the job is closed and its participants have left).
  struct Job {
    RangeFunction function{};
    uint64_t count = 0;
    uint64_t chunk_size = 0;
    uint64_t chunk_count = 0;
    std::atomic<uint64_t> next_chunk{0};
  };

  void RunShared(uint64_t count, RangeFunction function);
  void RunChunks();
  void HelperLoop();
  void StopHelpers();

  std::mutex submit_mutex_;  // one job at a time
  Job job_;
  // Bits 63..32: job epoch; bit 31: the job is open for helpers to join;
  // bits 30..0: helpers taking part. Helpers join with a compare-exchange that
  // needs the job open and the epoch they saw, so none can join a job after
  // its submitter closed it, and the submitter reuses job_ only when the
  // participant count drops to zero.
  std::atomic<uint64_t> state_{0};
  std::atomic<bool> stopping_{false};
  Waker job_opened_;    // helpers sleep here between jobs
  Waker helpers_left_;  // the submitter waits here for the last helper
  std::vector<std::thread> helpers_;
  const pid_t owner_;  // the process that started the helpers
};

template <typename Body>
void ThreadPool::ParallelFor(uint64_t count, const Body& body) {
  if (count == 0) return;
  if (count == 1 || helpers_.empty()) {
    body(uint64_t{0}, count);
    return;
  }
  const RangeFunction function{[](const void* erased, uint64_t begin, uint64_t end) {
                                 (*static_cast<const Body*>(erased))(begin, end);
                               },
                               &body};
  RunShared(count, function);
}

template <typename Body>
void ThreadPool::ForEachBlock(uint64_t size, const Body& body) {
  ParallelFor((size + kBlockBytes - 1) / kBlockBytes,
              [&](uint64_t first_block, uint64_t end_block) {
                body(first_block * kBlockBytes, std::min(end_block * kBlockBytes, size));
              });
}

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_THREAD_POOL_H_
