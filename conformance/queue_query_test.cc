// Queue::IsIdle (stream_query) and queues of each priority: a queue is idle
// when created and after Synchronize; IsIdle answers at once, never before
// the work it reports idle has completed; queues of every priority work,
// whether or not the device honours priorities (Capability::kStreamPriority).
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class QueueQuery : public DeviceTest {};

HAL_CTS_COVERS("QueueQuery.IdleWhenNewAndAfterSynchronize", {"stream_query", "success"});
TEST_P(QueueQuery, IdleWhenNewAndAfterSynchronize) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(bool idle, queue().IsIdle());
  EXPECT_TRUE(idle) << "a new queue";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(1 << 20));
  HAL_CTS_ASSERT_OK(queue().Fill(*buffer, 0, 1 << 20, 7));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(idle, queue().IsIdle());
  EXPECT_TRUE(idle) << "after Synchronize";
}

// A chain of 128x128x128 gemms keeps the queue busy for a while. Whatever
// IsIdle answers while it runs, "idle" must mean done: an event signalled
// after the chain has then completed. Polling ends idle, with the results.
TEST_P(QueueQuery, IdleOnlyOnceTheWorkIsDoneAndWithoutSynchronize) {
  constexpr uint32_t kSize = 128;
  constexpr int kRounds = 16;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> gemm, LoadKernel("gemm_f32"));
  const std::vector<float> ones(kSize * kSize, 1.0f);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a,
                               Upload(device(), queue(), absl::MakeConstSpan(ones)));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> c,
                               device().Allocate(kSize * kSize * sizeof(float)));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> done, device().CreateEvent());
  const BufferBinding bindings[] = {{a.get(), 0}, {a.get(), 0}, {c.get(), 0}};
  const GridSize grid{kSize / kGemmTile, kSize / kGemmTile, 1};
  for (int round = 0; round < kRounds; ++round) {
    HAL_CTS_ASSERT_OK(
        queue().Dispatch(*gemm, grid, bindings, GemmF32Constants{kSize, kSize, kSize, 1.0f, 0.0f}));
  }
  HAL_CTS_ASSERT_OK(queue().Signal(*done));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  bool idle = false;
  while (!idle && std::chrono::steady_clock::now() < deadline) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(idle, queue().IsIdle());
    if (!idle) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    HAL_CTS_ASSERT_OK_AND_ASSIGN(bool complete, done->IsComplete());
    EXPECT_TRUE(complete) << "IsIdle said idle before the work completed";
  }
  ASSERT_TRUE(idle) << "still busy after 2 minutes";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> result,
                               Download<float>(queue(), *c, kSize * kSize));
  EXPECT_EQ(result.front(), static_cast<float>(kSize));
  EXPECT_EQ(result.back(), static_cast<float>(kSize));
}

HAL_CTS_COVERS("QueueQuery.QueuesOfEveryPriorityWork", {"stream_create", "success"});
TEST_P(QueueQuery, QueuesOfEveryPriorityWork) {
  for (const QueuePriority priority :
       {QueuePriority::kLow, QueuePriority::kNormal, QueuePriority::kHigh}) {
    SCOPED_TRACE(QueuePriorityName(priority));
    QueueOptions options;
    options.priority = priority;
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> queue, device().CreateQueue(options));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(4096));
    HAL_CTS_ASSERT_OK(queue->Fill(*buffer, 0, 4096, 0x600d600du));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint32_t> read,
                                 Download<uint32_t>(*queue, *buffer, 1024));
    EXPECT_EQ(read, std::vector<uint32_t>(1024, 0x600d600du));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(bool idle, queue->IsIdle());
    EXPECT_TRUE(idle);
  }
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(QueueQuery);

}  // namespace
}  // namespace hal::cts
