// The ABI 2 calls of the public API on a lost device: each is Unavailable,
// as every other call is (tests/fault_isolation_test.cc).
#include <unistd.h>

#include <cstdlib>

#include "gmock/gmock.h"
#include "hal/fault_injection.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

class Abi2LostDeviceTest : public testing::CpuDeviceTest {
 protected:
  void TearDown() override {
    SetFaultInjectionEnabled(false);
    CpuDeviceTest::TearDown();
  }
};

TEST_F(Abi2LostDeviceTest, EveryAbi2CallIsUnavailable) {
  SetFaultInjectionEnabled(true);
  std::shared_ptr<Buffer> buffer = MustAllocate(64);
  ASSERT_TRUE(InjectDeviceLost(*device_).ok());
  // The next submission meets the injected loss.
  EXPECT_EQ(queue_->Fill(*buffer, 0, 64, 0).code(), absl::StatusCode::kUnavailable);

  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  void* host = std::aligned_alloc(page, page);
  QueueOptions high;
  high.priority = QueuePriority::kHigh;
  for (const absl::Status& status :
       {device_->RegisterHostMemory(host, page).status(), buffer->DeviceAddress().status(),
        buffer->Pin(), buffer->NativeHandle().status(), queue_->IsIdle().status(),
        queue_->NativeHandle().status(), device_->NativeHandle().status(),
        device_->CreateQueue(high).status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_THAT(status.message(), ::testing::HasSubstr("was lost"));
  }
  std::free(host);
}

}  // namespace
}  // namespace hal
