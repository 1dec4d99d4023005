// Queue::IsIdle (non-blocking, through stream_query) and queues with a
// priority (Device::CreateQueue(const QueueOptions&)) on the CPU driver.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class QueueQueryTest : public testing::CpuDeviceTest {
 protected:
  // Dispatches hal_test_wait_for_flag (backends/cpu/test_kernels.cc) on
  // `queue`: it holds the queue until Release().
  void Hold(Queue& queue) {
    KernelInfo info;
    info.name = "hal_test_wait_for_flag";
    info.binding_count = 1;
    KernelImage image;
    image.format = physical_->properties().kernel_formats.front();
    auto bytes = FileBytes(HAL_TEST_CPU_TEST_KERNELS_PATH);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    image.data = *std::move(bytes);
    auto bundle = KernelBundle::Create({info}, {image});
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    auto kernel = device_->LoadKernel(*bundle, info.name);
    ASSERT_TRUE(kernel.ok()) << kernel.status();
    flag_ = MustAllocate(sizeof(uint32_t));
    auto flag = flag_->Map();
    ASSERT_TRUE(flag.ok()) << flag.status();
    flag_word_ = static_cast<uint32_t*>(*flag);
    __atomic_store_n(flag_word_, 0, __ATOMIC_RELEASE);
    const BufferBinding binding{flag_.get()};
    ASSERT_TRUE(queue.Dispatch(**kernel, {1, 1, 1}, {&binding, 1}).ok());
  }
  void Release() { __atomic_store_n(flag_word_, 1, __ATOMIC_RELEASE); }
  void TearDown() override {
    if (flag_word_ != nullptr) Release();  // a failed assertion must not hang the queue
    CpuDeviceTest::TearDown();
  }

  static absl::StatusOr<std::vector<uint8_t>> FileBytes(const char* path) {
    std::FILE* file = std::fopen(path, "rb");
    if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    std::vector<uint8_t> bytes;
    uint8_t chunk[65536];
    for (size_t n; (n = std::fread(chunk, 1, sizeof(chunk), file)) > 0;) {
      bytes.insert(bytes.end(), chunk, chunk + n);
    }
    std::fclose(file);
    return bytes;
  }

  std::shared_ptr<Buffer> flag_;
  uint32_t* flag_word_ = nullptr;
};

TEST_F(QueueQueryTest, ANewQueueIsIdle) {
  auto idle = queue_->IsIdle();
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_TRUE(*idle);
}

TEST_F(QueueQueryTest, BusyWhileItsWorkRunsWithoutWaitingForItThenIdle) {
  Hold(*queue_);
  ASSERT_FALSE(HasFatalFailure());
  // Held until Release(): a blocking IsIdle would never return.
  for (int i = 0; i < 3; ++i) {
    auto idle = queue_->IsIdle();
    ASSERT_TRUE(idle.ok()) << idle.status();
    EXPECT_FALSE(*idle);
  }
  Release();
  ASSERT_TRUE(queue_->Synchronize().ok());
  auto idle = queue_->IsIdle();
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_TRUE(*idle);
}

TEST_F(QueueQueryTest, BecomesIdleWithoutSynchronize) {
  std::shared_ptr<Buffer> buffer = MustAllocate(1 << 20);
  ASSERT_TRUE(queue_->Fill(*buffer, 0, 1 << 20, 0x01020304u).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool idle = false;
  while (!idle && std::chrono::steady_clock::now() < deadline) {
    auto query = queue_->IsIdle();
    ASSERT_TRUE(query.ok()) << query.status();
    idle = *query;
    if (!idle) std::this_thread::yield();
  }
  EXPECT_TRUE(idle);
  // Idle, the fill's result is there to read.
  auto host = buffer->Map();
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(static_cast<const uint32_t*>(*host)[(1 << 18) - 1], 0x01020304u);
}

// An idle queue lets go of what its work kept alive, as Synchronize() does.
TEST_F(QueueQueryTest, IdleReleasesTheBuffersItsWorkKeptAlive) {
  std::shared_ptr<Buffer> buffer = MustAllocate(4096);
  ASSERT_TRUE(queue_->Fill(*buffer, 0, 4096, 0).ok());
  std::weak_ptr<Buffer> watched = buffer;
  buffer.reset();
  bool idle = false;
  while (!idle) {
    auto query = queue_->IsIdle();
    ASSERT_TRUE(query.ok()) << query.status();
    idle = *query;
  }
  EXPECT_TRUE(watched.expired());
  EXPECT_EQ(device_->allocated_bytes(), 0u);
}

// The CPU honours no priority (no Capability::kStreamPriority), but takes
// every one: queues of each priority work alike.
TEST_F(QueueQueryTest, QueuesOfEveryPriorityWork) {
  EXPECT_FALSE(physical_->properties().capabilities.has(Capability::kStreamPriority));
  for (const QueuePriority priority :
       {QueuePriority::kLow, QueuePriority::kNormal, QueuePriority::kHigh}) {
    QueueOptions options;
    options.priority = priority;
    auto queue = device_->CreateQueue(options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    std::shared_ptr<Buffer> buffer = MustAllocate(64);
    std::vector<uint32_t> read(16);
    ASSERT_TRUE((*queue)->Fill(*buffer, 0, 64, 0xabcdu).ok());
    ASSERT_TRUE((*queue)->CopyDeviceToHost(*buffer, 0, read.data(), 64).ok());
    ASSERT_TRUE((*queue)->Synchronize().ok());
    EXPECT_EQ(read, std::vector<uint32_t>(16, 0xabcdu)) << QueuePriorityName(priority);
  }
}

TEST_F(QueueQueryTest, PriorityNames) {
  EXPECT_STREQ(QueuePriorityName(QueuePriority::kLow), "low");
  EXPECT_STREQ(QueuePriorityName(QueuePriority::kNormal), "normal");
  EXPECT_STREQ(QueuePriorityName(QueuePriority::kHigh), "high");
}

TEST_F(QueueQueryTest, AnUnknownPriorityIsInvalidArgument) {
  QueueOptions options;
  options.priority = static_cast<QueuePriority>(7);
  auto queue = device_->CreateQueue(options);
  EXPECT_EQ(queue.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(queue.status().message(), HasSubstr("priority 7"));
}

}  // namespace
}  // namespace hal
