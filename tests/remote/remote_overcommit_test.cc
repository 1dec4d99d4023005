// Memory overcommit across processes: three tenant processes on virtual
// devices whose quotas add up to 3x a capped cpu:0 run random workloads at
// once, each checking every read against its host model
// (tests/tenant_workload.h, as tests/overcommit_test.cc does in one process),
// while hald's residency manager evicts and restores their buffers.
#include "gmock/gmock.h"
#include "tests/remote/remote_fixture.h"

namespace hal::testing {
namespace {

constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on cpu:0

using RemoteOvercommitTest = RemoteTest;

TEST_F(RemoteOvercommitTest, ThreeProcessesAtThreeTimesNeverLoseData) {
  std::vector<ServedVirtualDevice> virtual_devices;
  for (int t = 0; t < 3; ++t) {
    virtual_devices.push_back({"tenant-" + std::to_string(t), kCapacity, 1.0 / 3});
  }
  ASSERT_NO_FATAL_FAILURE(StartHald(
      virtual_devices, {{"overcommit_ratio", 3.0}, {"capacity_caps", {{"cpu:0", kCapacity}}}}));
  std::vector<std::unique_ptr<TenantProcess>> tenants;
  for (const ServedVirtualDevice& vd : virtual_devices) {
    tenants.push_back(StartTenant(vd.name));
    ASSERT_NE(tenants.back(), nullptr);
  }
  for (size_t t = 0; t < tenants.size(); ++t) {
    ASSERT_TRUE(
        tenants[t]->process().WriteLine("workload " + std::to_string(2000 + t) + " 300").ok());
  }
  for (auto& tenant : tenants) {
    EXPECT_EQ(tenant->NextAnswer(absl::Seconds(120)).value_or("?"), "ok");
  }
  auto status = QueryPoolStatus(hald_->unix_endpoint());
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->devices_size(), 1);
  const auto& device = status->devices(0);
  EXPECT_TRUE(device.overcommitted());
  EXPECT_LE(device.resident_bytes(), kCapacity);
  EXPECT_GT(device.evictions(), 10u);
  EXPECT_GT(device.restores(), 10u);
  RecordProperty("evictions", std::to_string(device.evictions()));
}

}  // namespace
}  // namespace hal::testing
