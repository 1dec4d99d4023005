#include "backends/common/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace hal::driver_support {
namespace {

// Records every range ParallelFor hands out and the threads that ran them.
struct Ranges {
  std::mutex mutex;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::set<std::thread::id> threads;

  void Add(uint64_t begin, uint64_t end) {
    std::lock_guard lock(mutex);
    ranges.emplace_back(begin, end);
    threads.insert(std::this_thread::get_id());
  }
  // Every index of [0, count) exactly once, in non-empty ranges.
  void ExpectCover(uint64_t count) {
    std::vector<int> seen(count, 0);
    for (const auto& [begin, end] : ranges) {
      ASSERT_LT(begin, end);
      ASSERT_LE(end, count);
      for (uint64_t i = begin; i < end; ++i) ++seen[i];
    }
    for (uint64_t i = 0; i < count; ++i) ASSERT_EQ(seen[i], 1) << "index " << i;
  }
};

TEST(ThreadPoolTest, UsableCpuCountIsAtLeastOne) { EXPECT_GE(UsableCpuCount(), 1u); }

TEST(ThreadPoolTest, ParallelForCoversEveryIndexOnce) {
  ThreadPool pool(3);
  for (uint64_t count : {uint64_t{2}, uint64_t{7}, uint64_t{64}, uint64_t{1000}}) {
    Ranges ranges;
    pool.ParallelFor(count, [&](uint64_t begin, uint64_t end) { ranges.Add(begin, end); });
    ranges.ExpectCover(count);
  }
}

TEST(ThreadPoolTest, NothingOrOneRunsOnTheCallerAlone) {
  ThreadPool pool(2);
  Ranges none;
  pool.ParallelFor(0, [&](uint64_t begin, uint64_t end) { none.Add(begin, end); });
  EXPECT_TRUE(none.ranges.empty());
  Ranges one;
  pool.ParallelFor(1, [&](uint64_t begin, uint64_t end) { one.Add(begin, end); });
  one.ExpectCover(1);
  EXPECT_EQ(one.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ThreadPoolTest, APoolWithoutHelpersRunsEveryJobOnTheCaller) {
  ThreadPool pool(0);
  Ranges ranges;
  pool.ParallelFor(100, [&](uint64_t begin, uint64_t end) { ranges.Add(begin, end); });
  ranges.ExpectCover(100);
  EXPECT_EQ(ranges.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

// Jobs from several threads at once run one after another, each whole.
TEST(ThreadPoolTest, JobsFromSeveralThreadsEachCoverTheirRange) {
  ThreadPool pool(2);
  std::atomic<int> jobs_done{0};
  std::vector<std::thread> submitters;
  for (int i = 0; i < 4; ++i) {
    submitters.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        Ranges job;
        pool.ParallelFor(97, [&](uint64_t begin, uint64_t end) { job.Add(begin, end); });
        job.ExpectCover(97);
        ++jobs_done;
      }
    });
  }
  for (std::thread& submitter : submitters) submitter.join();
  EXPECT_EQ(jobs_done.load(), 200);
}

TEST(ThreadPoolTest, ForEachBlockCoversEveryByteInWholeBlocksButTheLast) {
  ThreadPool pool(2);
  constexpr uint64_t kBlock = ThreadPool::kBlockBytes;
  const uint64_t size = 5 * kBlock + 7;
  Ranges ranges;
  pool.ForEachBlock(size, [&](uint64_t begin, uint64_t end) {
    EXPECT_EQ(begin % kBlock, 0u);
    EXPECT_TRUE(end == size || end % kBlock == 0) << end;
    ranges.Add(begin, end);
  });
  ranges.ExpectCover(size);
}

// A forked child (a framework's worker process) that drops its copy of the
// parent's pool returns at once, and the parent's pool still works.
TEST(ThreadPoolTest, AForkedChildDropsItsCopyWithoutWaitingForTheParentsHelpers) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer does not support threads started after a threaded fork";
#endif
  auto pool = std::make_unique<ThreadPool>(2);
  Ranges before;
  pool->ParallelFor(64, [&](uint64_t begin, uint64_t end) { before.Add(begin, end); });
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);  // a hang fails the test instead of stalling it
    pool.reset();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  Ranges after;
  pool->ParallelFor(64, [&](uint64_t begin, uint64_t end) { after.Add(begin, end); });
  after.ExpectCover(64);
}

// Sizes around the block size, with and without streaming stores, from and
// to offsets that are not block-aligned.
TEST(ThreadPoolTest, CopyIsExactAroundEveryBlockEdge) {
  ThreadPool pool(2);
  constexpr uint64_t kBlock = ThreadPool::kBlockBytes;
  for (bool streaming : {false, true}) {
    for (uint64_t size : {uint64_t{1}, kBlock - 1, kBlock, kBlock + 3, 3 * kBlock + 4097}) {
      std::vector<uint8_t> source(size + 16);
      for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<uint8_t>(i * 7 + i / 509);
      std::vector<uint8_t> destination(size + 16, 0xEE);
      pool.Copy(destination.data() + 5, source.data() + 3, size, streaming);
      for (size_t i = 0; i < destination.size(); ++i) {
        const bool copied = i >= 5 && i < 5 + size;
        ASSERT_EQ(destination[i], copied ? source[i - 5 + 3] : 0xEE)
            << "byte " << i << " of a " << size << "-byte copy, streaming " << streaming;
      }
    }
  }
}

}  // namespace
}  // namespace hal::driver_support
