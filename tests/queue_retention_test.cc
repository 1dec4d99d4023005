// A queue keeps what its work uses alive until that work completes, however
// often the same kernel and buffers are submitted again: the queue keeps one
// entry for an object its pending work already holds (QueueState::Retain) and
// closes batches behind fences as entries accumulate. On the CPU driver; under
// ASan a buffer freed while a dispatch still writes it fails the test.
#include <cstdint>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

class QueueRetentionTest : public testing::CpuDeviceTest {};

constexpr uint32_t kElements = 4096;  // 16 workgroups of fill_f32

absl::Status Fill(Queue& queue, const Kernel& fill_f32, const Buffer& out, float value) {
  struct {
    float value;
    uint32_t n;
  } constants{value, kElements};
  const BufferBinding bindings[] = {{&out, 0}};
  return queue.Dispatch(fill_f32, {kElements / 256, 1, 1}, bindings, constants);
}

TEST_F(QueueRetentionTest, BuffersUsedAgainAndAgainStayUntilTheirLastDispatchCompletes) {
  const uint64_t baseline = device_->allocated_bytes();
  auto kernel = MustLoad("fill_f32");
  ASSERT_NE(kernel, nullptr);
  // One buffer in every other dispatch (kept by one pending entry at a
  // time), and more others than the entries Retain looks back through, so
  // that batches close in between.
  auto reused = MustAllocate(kElements * sizeof(float));
  ASSERT_NE(reused, nullptr);
  std::vector<std::shared_ptr<Buffer>> others;
  for (int i = 0; i < 24; ++i) {
    others.push_back(MustAllocate(kElements * sizeof(float)));
    ASSERT_NE(others.back(), nullptr);
  }
  for (int round = 0; round < 300; ++round) {
    ASSERT_TRUE(Fill(*queue_, *kernel, *reused, 1.0f).ok());
    ASSERT_TRUE(Fill(*queue_, *kernel, *others[round % others.size()], 2.0f).ok());
  }
  const uint64_t charged = device_->allocated_bytes();
  reused.reset();
  others.clear();
  kernel.reset();
  // Nothing is released before the queue looks again: the work may still run.
  EXPECT_EQ(device_->allocated_bytes(), charged);
  ASSERT_TRUE(queue_->Synchronize().ok());
  EXPECT_EQ(device_->allocated_bytes(), baseline);
}

}  // namespace
}  // namespace hal
