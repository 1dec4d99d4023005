// Compute shares of virtual devices. Partitions, where the device offers
// them: virtual devices get disjoint grants at the partition alignment, and
// placement refuses one whose grant no longer fits. Time slices (or
// partitions) as a smoke test: two virtual devices of half a device each,
// driven from two threads at once, both make progress and compute exact
// results. Shares themselves are timing measurements and belong to tests/
// (tests/time_slice_test.cc), not to the conformance suite.
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/increment_chain.h"
#include "conformance/scale/tenants.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

constexpr uint64_t kComputeQuota = 4 << 20;

// Runs `rounds` increments on the tenant's own counter, synchronizing every
// few, and checks the result.
absl::Status RunChain(const Tenant& tenant, int rounds) {
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> add, IncrementChain::LoadAdd(tenant.device()));
  HAL_ASSIGN_OR_RETURN(IncrementChain chain,
                       IncrementChain::Create(tenant.device(), *tenant.queue, add));
  constexpr int kBatch = 4;
  for (int done = 0; done < rounds; done += kBatch) {
    HAL_RETURN_IF_ERROR(chain.Enqueue(*tenant.queue, kBatch));
    HAL_RETURN_IF_ERROR(tenant.queue->Synchronize());
  }
  return chain.Check(*tenant.queue, (rounds + kBatch - 1) / kBatch * kBatch);
}

class VirtualDevicePartitions : public DeviceTest {
 protected:
  void SetUp() override {
    DeviceTest::SetUp();
    if (IsSkipped()) return;
    if (properties().partition.kind == PartitionKind::kNone) {
      HAL_CTS_SKIP_UNSUPPORTED("the device reports no partitions");
    }
    auto pool = PoolOf(physical_device(), {.capacity_bytes = 4 * kComputeQuota});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }
  const PartitionInfo& partition() const { return properties().partition; }
  std::unique_ptr<Pool> pool_;
};

HAL_CTS_COVERS("VirtualDevicePartitions.GrantsAreDisjointAndAligned", {"context_create", "success"},
               {"context_get_partition", "success"});
TEST_P(VirtualDevicePartitions, GrantsAreDisjointAndAligned) {
  std::vector<Tenant> tenants;
  uint32_t granted = 0;
  for (int t = 0; t < 2; ++t) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(Tenant tenant,
                                 CreateTenant(*pool_, absl::StrCat("half", t), kComputeQuota, 0.5));
    EXPECT_EQ(tenant.virtual_device->compute_enforcement(), ComputeEnforcement::kHardPartition);
    const uint32_t units = tenant.device().partition_units();
    EXPECT_GE(units, partition().min_units) << "tenant " << t;
    ASSERT_GT(partition().alignment, 0u);
    EXPECT_EQ(units % partition().alignment, 0u) << "tenant " << t << " got " << units;
    granted += units;
    HAL_CTS_EXPECT_OK(RunChain(tenant, 8)) << "tenant " << t;
    tenants.push_back(std::move(tenant));
  }
  EXPECT_LE(granted, partition().max_units) << "the grants overlap";
  const auto usage = pool_->usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].partition_units_placed, granted);
}

// Tenants of the smallest share that asks the minimum grant, until the
// device's units run out: then placement is ResourceExhausted, and the
// grants placed stay within the device.
HAL_CTS_COVERS("VirtualDevicePartitions.PlacementRefusesWhenUnitsRunOut",
               {"context_create", "success"}, {"context_get_partition", "success"});
TEST_P(VirtualDevicePartitions, PlacementRefusesWhenUnitsRunOut) {
  ASSERT_GT(partition().max_units, 0u);
  const double share = static_cast<double>(partition().min_units) / partition().max_units;
  std::vector<Tenant> tenants;
  uint32_t granted = 0;
  for (uint32_t t = 0;; ++t) {
    ASSERT_LE(t, partition().max_units) << "more tenants placed than the device has units";
    absl::StatusOr<Tenant> tenant = CreateTenant(*pool_, absl::StrCat("small", t), 1 << 16, share);
    if (!tenant.ok()) {
      EXPECT_THAT(tenant, StatusIs(absl::StatusCode::kResourceExhausted));
      break;
    }
    granted += tenant->device().partition_units();
    tenants.push_back(*std::move(tenant));
  }
  EXPECT_FALSE(tenants.empty());
  EXPECT_LE(granted, partition().max_units);
  EXPECT_EQ(pool_->usage()[0].partition_units_placed, granted);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(VirtualDevicePartitions);

struct ComputeCase {
  const char* name;
  TimeSliceMode mode;
  std::string Name() const { return name; }
};
const ComputeCase kComputeCases[] = {
    {"strict", TimeSliceMode::kStrict},
    {"work_conserving", TimeSliceMode::kWorkConserving},
};

class VirtualDeviceCompute : public DeviceCaseTest<ComputeCase> {};

HAL_CTS_COVERS("VirtualDeviceCompute.HalfSharesBothProgress", {"stream_dispatch", "success"},
               {"stream_signal_event", "success"}, {"event_timestamp_ns", "success"},
               {"stream_synchronize", "success"});
TEST_P(VirtualDeviceCompute, HalfSharesBothProgress) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pool> pool,
                               PoolOf(physical_device(), {.capacity_bytes = 2 * kComputeQuota,
                                                          .time_slice = test_case().mode}));
  std::vector<Tenant> tenants;
  for (int t = 0; t < 2; ++t) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(Tenant tenant,
                                 CreateTenant(*pool, absl::StrCat("half", t), kComputeQuota, 0.5));
    tenants.push_back(std::move(tenant));
  }
  constexpr int kRounds = 16;
  std::vector<absl::Status> results(tenants.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < tenants.size(); ++t) {
    threads.emplace_back([&, t] { results[t] = RunChain(tenants[t], kRounds); });
  }
  for (std::thread& thread : threads) thread.join();
  const ComputeEnforcement expected = properties().partition.kind == PartitionKind::kNone
                                          ? ComputeEnforcement::kTimeSlice
                                          : ComputeEnforcement::kHardPartition;
  for (size_t t = 0; t < tenants.size(); ++t) {
    HAL_CTS_EXPECT_OK(results[t]) << "tenant " << t;
    const VirtualDevice& tenant = *tenants[t].virtual_device;
    EXPECT_EQ(tenant.compute_enforcement(), expected)
        << ComputeEnforcementName(tenant.compute_enforcement());
    if (tenant.compute_enforcement() == ComputeEnforcement::kTimeSlice) {
      // Busy time is measured from the driver's event timestamps.
      EXPECT_GT(tenant.compute_busy_ns(), 0u) << "tenant " << t << " made no measured progress";
    }
  }
}

// A share of the whole device needs no enforcement: nothing is measured or
// held back, and the work runs.
HAL_CTS_COVERS("VirtualDeviceCompute.WholeDeviceIsNotEnforced", {"stream_dispatch", "success"});
TEST_P(VirtualDeviceCompute, WholeDeviceIsNotEnforced) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pool> pool,
      PoolOf(physical_device(), {.capacity_bytes = kComputeQuota, .time_slice = test_case().mode}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(Tenant tenant, CreateTenant(*pool, "whole", kComputeQuota, 1.0));
  EXPECT_EQ(tenant.virtual_device->compute_enforcement(), ComputeEnforcement::kWholeDevice);
  HAL_CTS_EXPECT_OK(RunChain(tenant, 8));
  EXPECT_EQ(tenant.virtual_device->compute_busy_ns(), 0u);
  EXPECT_EQ(tenant.virtual_device->compute_held_back_ns(), 0u);
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(VirtualDeviceCompute, kComputeCases);

}  // namespace
}  // namespace hal::cts
