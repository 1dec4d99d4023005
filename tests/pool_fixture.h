// Pools of the build tree's CPU device for virtual-device tests.
#ifndef HAL_TESTS_POOL_FIXTURE_H_
#define HAL_TESTS_POOL_FIXTURE_H_

#include <memory>
#include <string>

#include "hal/virtual_device.h"
#include "tests/cpu_device_fixture.h"

namespace hal::testing {

class PoolTest : public CpuDeviceTest {
 protected:
  // A pool of cpu:0 alone; null (with a test failure) if refused.
  std::unique_ptr<Pool> MakePool(PoolOptions options = {}) {
    auto pool = Pool::Create({physical_}, options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }
  // A placed virtual device; null (with a test failure) if refused.
  static std::shared_ptr<VirtualDevice> MakeVirtualDevice(Pool& pool, const std::string& name,
                                                          uint64_t quota, double share = 1.0) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    auto vd = pool.CreateVirtualDevice(spec);
    EXPECT_TRUE(vd.ok()) << vd.status();
    return vd.ok() ? *std::move(vd) : nullptr;
  }
};

}  // namespace hal::testing

#endif  // HAL_TESTS_POOL_FIXTURE_H_
