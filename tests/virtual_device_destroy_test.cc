// Pool::DestroyVirtualDevice on the CPU driver: the placement goes back to
// its device, and a virtual device still in use is refused with nothing
// changed.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "hal/virtual_device.h"
#include "tests/pool_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kDestroyCapacity = 1 << 20;

class DestroyVirtualDeviceTest : public testing::PoolTest {
 protected:
  // cpu:0 capped at kDestroyCapacity, at `ratio`.
  std::unique_ptr<Pool> CappedPool(double ratio = 1.0) {
    PoolOptions options;
    options.overcommit_ratio = ratio;
    options.capacity_caps[physical_->id()] = kDestroyCapacity;
    options.host_memory_limit_bytes = kDestroyCapacity;
    return MakePool(options);
  }
  static absl::StatusCode Admission(Pool& pool, const std::string& name, uint64_t quota,
                                    double share) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    return pool.CreateVirtualDevice(spec).status().code();
  }
};

TEST_F(DestroyVirtualDeviceTest, QuotaAndComputeShareGoBackToTheDevice) {
  auto pool = CappedPool();
  ASSERT_NE(pool, nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "first", kDestroyCapacity, 0.6), nullptr);
  EXPECT_EQ(Admission(*pool, "second", kDestroyCapacity, 0.6),
            absl::StatusCode::kResourceExhausted);

  ASSERT_TRUE(pool->DestroyVirtualDevice("first").ok());
  EXPECT_TRUE(pool->virtual_devices().empty());
  const Pool::DeviceUsage usage = pool->usage()[0];
  EXPECT_EQ(usage.quota_placed, 0u);
  EXPECT_EQ(usage.compute_placed, 0.0);
  EXPECT_EQ(usage.partition_units_placed, 0u);
  // The room it took (memory, share, and the partition units or time-slice
  // tenancy behind the share) fits another one now, of the same name too.
  EXPECT_EQ(Admission(*pool, "second", kDestroyCapacity, 0.6), absl::StatusCode::kOk);
  ASSERT_TRUE(pool->DestroyVirtualDevice("second").ok());
  EXPECT_EQ(Admission(*pool, "first", kDestroyCapacity, 0.6), absl::StatusCode::kOk);
}

TEST_F(DestroyVirtualDeviceTest, HostMemoryReservedForOvercommitGoesBack) {
  auto pool = CappedPool(3.0);
  ASSERT_NE(pool, nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "a", kDestroyCapacity, 0.3), nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "b", kDestroyCapacity, 0.3), nullptr);
  ASSERT_EQ(pool->usage()[0].residency->host_reserved_bytes, kDestroyCapacity);
  EXPECT_EQ(Admission(*pool, "c", kDestroyCapacity, 0.3), absl::StatusCode::kResourceExhausted);

  ASSERT_TRUE(pool->DestroyVirtualDevice("b").ok());
  EXPECT_EQ(pool->usage()[0].residency->host_reserved_bytes, 0u);
  EXPECT_EQ(Admission(*pool, "c", kDestroyCapacity, 0.3), absl::StatusCode::kOk);
}

TEST_F(DestroyVirtualDeviceTest, UnknownNameIsNotFound) {
  auto pool = CappedPool();
  ASSERT_NE(pool, nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "a", kDestroyCapacity / 2), nullptr);
  const absl::Status status = pool->DestroyVirtualDevice("z");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("\"z\""));
  EXPECT_EQ(pool->virtual_devices().size(), 1u);
  EXPECT_EQ(pool->usage()[0].quota_placed, kDestroyCapacity / 2);
}

// While any of its objects lives, or anything besides the pool holds it,
// it stays, with its placement.
TEST_F(DestroyVirtualDeviceTest, InUseIsRefusedWithNothingChanged) {
  auto pool = CappedPool();
  ASSERT_NE(pool, nullptr);
  std::shared_ptr<VirtualDevice> vd = MakeVirtualDevice(*pool, "busy", kDestroyCapacity, 0.5);
  ASSERT_NE(vd, nullptr);
  const auto expect_refused = [&](absl::string_view why) {
    const absl::Status status = pool->DestroyVirtualDevice("busy");
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(status.message(), HasSubstr(why));
    EXPECT_EQ(pool->virtual_devices().size(), 1u);
    EXPECT_EQ(pool->usage()[0].quota_placed, kDestroyCapacity);
    EXPECT_EQ(pool->usage()[0].compute_placed, 0.5);
  };
  expect_refused("something besides the pool holds it");  // `vd` itself
  std::shared_ptr<Device> device = vd->device();
  vd.reset();
  expect_refused("something besides the pool holds it");  // `device`
  {
    auto buffer = device->Allocate(4096);
    ASSERT_TRUE(buffer.ok()) << buffer.status();
    auto queue = device->CreateQueue();
    ASSERT_TRUE(queue.ok()) << queue.status();
    device.reset();
    expect_refused("2 of its objects are alive");
    expect_refused("bytes are charged to it");
    buffer->reset();
    expect_refused("1 of its objects are alive");  // the queue
  }
  EXPECT_TRUE(pool->DestroyVirtualDevice("busy").ok());
  EXPECT_EQ(pool->usage()[0].quota_placed, 0u);
}

}  // namespace
}  // namespace hal
