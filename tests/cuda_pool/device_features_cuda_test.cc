// The public API over ABI 2's optional capabilities on cuda:0, through the
// CUDA driver and the fake libcuda: native handles of every kind, host
// registration, queue priorities and queries, and device addresses in an
// overcommitted pool with and without virtual memory (vmm=0).
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"

namespace hal::testing {
namespace {

using ::testing::HasSubstr;

class DeviceFeaturesCudaTest : public CudaPoolTest {
 protected:
  void SetUp() override {
    CudaPoolTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto device = cuda_->Open();
    ASSERT_TRUE(device.ok()) << device.status();
    device_ = *std::move(device);
  }
  void TearDown() override {
    device_.reset();
    CudaPoolTest::TearDown();
  }
  // A virtual device of an overcommitted pool of cuda:0 capped at 8 MiB.
  std::shared_ptr<VirtualDevice> OvercommittedVirtualDevice() {
    PoolOptions options;
    options.overcommit_ratio = 4;
    options.capacity_caps[cuda_->id()] = 8 * kMiB;
    pool_ = MakePool(options);
    return pool_ ? MakeVirtualDevice(*pool_, Spec("tenant", 16 * kMiB)) : nullptr;
  }
  std::shared_ptr<Device> device_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(DeviceFeaturesCudaTest, EveryObjectHasItsCudaHandle) {
  auto buffer = device_->Allocate(4096);
  auto queue = device_->CreateQueue();
  auto event = device_->CreateEvent();
  auto kernel = device_->LoadKernel(*bundle_, "noop");
  ASSERT_TRUE(buffer.ok() && queue.ok() && event.ok());
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  const struct {
    absl::StatusOr<NativeHandle> handle;
    const char* kind;
  } expected[] = {{device_->NativeHandle(), "CUcontext"},
                  {(*buffer)->NativeHandle(), "CUdeviceptr"},
                  {(*queue)->NativeHandle(), "CUstream"},
                  {(*event)->NativeHandle(), "CUevent"},
                  {(*kernel)->NativeHandle(), "CUfunction"}};
  for (const auto& [handle, kind] : expected) {
    ASSERT_TRUE(handle.ok()) << kind << ": " << handle.status();
    EXPECT_EQ(handle->kind, kind);
    EXPECT_NE(handle->value, 0u) << kind;
  }
  auto address = (*buffer)->DeviceAddress();
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(*address, expected[1].handle->value) << "a buffer's handle is its address";
  EXPECT_EQ(*address, DeviceAddress(**buffer));
}

TEST_F(DeviceFeaturesCudaTest, RegisteredHostMemoryCopiesBothWays) {
  ASSERT_TRUE(cuda_->properties().capabilities.has(Capability::kHostRegistration));
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  auto* pages = static_cast<uint8_t*>(std::aligned_alloc(page, 2 * page));
  for (uint64_t i = 0; i < 2 * page; ++i) pages[i] = static_cast<uint8_t>(i);
  const std::vector<uint8_t> written(pages, pages + 2 * page);
  {
    auto registered = device_->RegisterHostMemory(pages, 2 * page);
    ASSERT_TRUE(registered.ok()) << registered.status();
    EXPECT_EQ(device_->allocated_bytes(), 0u);
    auto device_buffer = device_->Allocate(2 * page);
    auto queue = device_->CreateQueue();
    ASSERT_TRUE(device_buffer.ok() && queue.ok());
    ASSERT_TRUE((*queue)->CopyBuffer(**registered, 0, **device_buffer, 0, 2 * page).ok());
    ASSERT_TRUE((*queue)->Fill(**registered, 0, 2 * page, 0).ok());
    ASSERT_TRUE((*queue)->CopyBuffer(**device_buffer, 0, **registered, 0, 2 * page).ok());
    ASSERT_TRUE((*queue)->Synchronize().ok());
  }
  EXPECT_TRUE(std::equal(written.begin(), written.end(), pages));
  std::free(pages);
}

TEST_F(DeviceFeaturesCudaTest, QueuesOfEveryPriorityWorkAndTellWhenIdle) {
  EXPECT_TRUE(cuda_->properties().capabilities.has(Capability::kStreamPriority));
  for (const QueuePriority priority :
       {QueuePriority::kLow, QueuePriority::kNormal, QueuePriority::kHigh}) {
    QueueOptions options;
    options.priority = priority;
    auto queue = device_->CreateQueue(options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    auto buffer = device_->Allocate(1 * kMiB);
    ASSERT_TRUE(buffer.ok());
    Write(**queue, **buffer, 0x12345678u);
    auto idle = (*queue)->IsIdle();
    ASSERT_TRUE(idle.ok()) << idle.status();
    EXPECT_TRUE(*idle) << QueuePriorityName(priority);
    EXPECT_TRUE(Holds(**queue, **buffer, 0x12345678u));
  }
}

// With virtual memory a buffer of at least the granularity (2 MiB) keeps its
// address through eviction: no pin needed.
TEST_F(DeviceFeaturesCudaTest, InAnOvercommittedPoolALargeBufferNeedsNoPin) {
  std::shared_ptr<VirtualDevice> vd = OvercommittedVirtualDevice();
  ASSERT_NE(vd, nullptr);
  auto buffer = vd->device()->Allocate(4 * kMiB);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  auto address = (*buffer)->DeviceAddress();
  EXPECT_TRUE(address.ok()) << address.status();
  auto handle = (*buffer)->NativeHandle();
  ASSERT_TRUE(handle.ok()) << handle.status();
  EXPECT_EQ(handle->value, *address);
}

class DeviceFeaturesCudaWithoutVmmTest : public DeviceFeaturesCudaTest {
 protected:
  std::string Config() const override { return "memory_mib=256;vmm=0"; }
};

TEST_F(DeviceFeaturesCudaWithoutVmmTest, InAnOvercommittedPoolEveryBufferMustBePinned) {
  ASSERT_FALSE(cuda_->properties().capabilities.has(Capability::kVirtualMemory));
  std::shared_ptr<VirtualDevice> vd = OvercommittedVirtualDevice();
  ASSERT_NE(vd, nullptr);
  auto buffer = vd->device()->Allocate(4 * kMiB);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  for (const absl::Status& status :
       {(*buffer)->DeviceAddress().status(), (*buffer)->NativeHandle().status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("the device has no virtual-memory capability"));
  }
  ASSERT_TRUE((*buffer)->Pin().ok());
  auto address = (*buffer)->DeviceAddress();
  EXPECT_TRUE(address.ok()) << address.status();
}

}  // namespace
}  // namespace hal::testing
