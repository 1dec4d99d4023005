// A device-lost failure in one virtual device's work, injected between the
// runtime and the real CPU driver: that virtual device fails, at once and
// with a clear status, from then on; the others on the same physical device
// keep working.
#include <vector>

#include "gmock/gmock.h"
#include "hal/fault_injection.h"
#include "tests/pool_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class FaultIsolationTest : public testing::PoolTest {
 protected:
  void TearDown() override {
    SetFaultInjectionEnabled(false);
    PoolTest::TearDown();
  }

  // vector_add on `device`: OK only if it ran and every element is right.
  absl::Status VectorAdd(Device& device, Queue& queue) {
    constexpr uint32_t kN = 1000;
    HAL_ASSIGN_OR_RETURN(auto kernel, device.LoadKernel(*bundle_, "vector_add_i32"));
    HAL_ASSIGN_OR_RETURN(auto a, device.Allocate(kN * 4));
    HAL_ASSIGN_OR_RETURN(auto c, device.Allocate(kN * 4));
    std::vector<int32_t> ones(kN, 1), out(kN, 0);
    HAL_RETURN_IF_ERROR(queue.CopyHostToDevice(ones.data(), *a, 0, kN * 4));
    const BufferBinding bindings[] = {{a.get()}, {a.get()}, {c.get()}};
    HAL_RETURN_IF_ERROR(queue.Dispatch(*kernel, {(kN + 255) / 256, 1, 1}, bindings, kN));
    HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*c, 0, out.data(), kN * 4));
    HAL_RETURN_IF_ERROR(queue.Synchronize());
    if (out != std::vector<int32_t>(kN, 2)) return absl::DataLossError("wrong sums");
    return absl::OkStatus();
  }
};

TEST_F(FaultIsolationTest, LostVirtualDeviceFailsAloneAndFast) {
  SetFaultInjectionEnabled(true);
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "faulty", 16 << 20, 0.5);
  auto b = MakeVirtualDevice(*pool, "healthy", 16 << 20, 0.5);
  ASSERT_TRUE(a && b);
  auto a_queue = a->device()->CreateQueue();
  auto b_queue = b->device()->CreateQueue();
  ASSERT_TRUE(a_queue.ok() && b_queue.ok());
  ASSERT_TRUE(VectorAdd(*a->device(), **a_queue).ok());

  ASSERT_TRUE(InjectDeviceLost(*a->device()).ok());
  absl::Status failed = VectorAdd(*a->device(), **a_queue);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.message(), HasSubstr("injected fault: device lost"));

  // From now on every call on the lost context fails at once, naming the
  // first failure.
  for (absl::Status later : {a->device()->Allocate(64).status(),
                             a->device()->CreateQueue().status(), (*a_queue)->Synchronize()}) {
    EXPECT_EQ(later.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(later.message(), HasSubstr("was lost"));
    EXPECT_THAT(later.message(), HasSubstr("injected fault"));
  }
  // The other virtual device on the same physical device carries on.
  absl::Status healthy = VectorAdd(*b->device(), **b_queue);
  EXPECT_TRUE(healthy.ok()) << healthy;
}

TEST_F(FaultIsolationTest, InjectionIsOffByDefault) {
  SetFaultInjectionEnabled(false);
  EXPECT_FALSE(FaultInjectionEnabled());
  absl::Status status = InjectDeviceLost(*device_);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("HAL_FAULT_INJECTION=1"));
  EXPECT_TRUE(VectorAdd(*device_, *queue_).ok());  // nothing was armed
}

}  // namespace
}  // namespace hal
