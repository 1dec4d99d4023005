#include "backends/common/thread_pool.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "backends/common/streaming_stores.h"

namespace hal::driver_support {
namespace {

constexpr uint64_t kOpenBit = uint64_t{1} << 31;
constexpr uint64_t kParticipantMask = kOpenBit - 1;
// More chunks than participants, so that a participant that started late or
// was preempted leaves less of a tail; few enough that each chunk stays a long
// contiguous run of memory.
constexpr uint64_t kChunksPerParticipant = 4;

uint32_t EpochOf(uint64_t state) { return static_cast<uint32_t>(state >> 32); }
bool IsOpen(uint64_t state) { return (state & kOpenBit) != 0; }
uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

uint32_t UsableCpuCount() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 0) {
    return static_cast<uint32_t>(CPU_COUNT(&cpus));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void ThreadPool::Copy(void* destination, const void* source, size_t size, bool streaming_stores) {
  auto* to = static_cast<uint8_t*>(destination);
  const auto* from = static_cast<const uint8_t*>(source);
  ForEachBlock(size, [&](uint64_t begin, uint64_t end) {
    if (streaming_stores) {
      StreamingCopy(to + begin, from + begin, end - begin);
    } else {
      std::memcpy(to + begin, from + begin, end - begin);
    }
  });
}

ThreadPool::ThreadPool(uint32_t helper_count) : owner_(getpid()) {
  helpers_.reserve(helper_count);
  try {
    for (uint32_t i = 0; i < helper_count; ++i) helpers_.emplace_back([this] { HelperLoop(); });
  } catch (...) {
    // Threads already started must be joined before the vector is destroyed.
    StopHelpers();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  if (getpid() != owner_) {
    // A forked child's copy. join() would wait for threads this process does
    // not have; their objects are left, never joined. The wakers' condition
    // variables count the parent's sleeping helpers as waiters, whom their
    // destructors would wait for forever: fresh ones replace them first.
    for (std::thread& helper : helpers_) new std::thread(std::move(helper));
    new (&job_opened_) Waker();
    new (&helpers_left_) Waker();
    return;
  }
  StopHelpers();
}

void ThreadPool::StopHelpers() {
  stopping_.store(true);
  job_opened_.NotifyAll();
  for (std::thread& helper : helpers_) {
    if (helper.joinable()) helper.join();
  }
  helpers_.clear();
}

void ThreadPool::RunShared(uint64_t count, RangeFunction function) {
  std::lock_guard lock(submit_mutex_);
  const uint64_t participants = helpers_.size() + 1;
  job_.function = function;
  job_.count = count;
  job_.chunk_size = CeilDiv(count, std::min(count, participants * kChunksPerParticipant));
  job_.chunk_count = CeilDiv(count, job_.chunk_size);
  job_.next_chunk.store(0, std::memory_order_relaxed);

  // Epoch 0 is never used, so a helper that has joined nothing yet waits for
  // a real job.
  uint32_t epoch = EpochOf(state_.load()) + 1;
  if (epoch == 0) epoch = 1;
  // Publishes job_ to the helpers: they read it only after a successful join.
  state_.store((uint64_t{epoch} << 32) | kOpenBit);
  job_opened_.NotifyAll();

  RunChunks();

  // Every chunk is taken; close the job and wait for the helpers still
  // running one.
  state_.fetch_and(~kOpenBit);
  helpers_left_.Wait([this] { return (state_.load() & kParticipantMask) == 0; });
}

void ThreadPool::RunChunks() {
  for (;;) {
    const uint64_t chunk = job_.next_chunk.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job_.chunk_count) return;
    const uint64_t begin = chunk * job_.chunk_size;
    const uint64_t end = std::min(begin + job_.chunk_size, job_.count);
    job_.function.invoke(job_.function.body, begin, end);
  }
}

void ThreadPool::HelperLoop() {
  uint32_t joined_epoch = 0;
  for (;;) {
    uint64_t state = 0;
    job_opened_.Wait([&] {
      state = state_.load();
      return stopping_.load() || (IsOpen(state) && EpochOf(state) != joined_epoch);
    });
    if (stopping_.load()) return;
    // Fails when the job closed meanwhile or another helper joined first; the
    // loop then looks at the new state.
    if (!state_.compare_exchange_strong(state, state + 1)) continue;
    joined_epoch = EpochOf(state);
    RunChunks();
    state_.fetch_sub(1);
    helpers_left_.NotifyAll();
  }
}

}  // namespace hal::driver_support
