// The runtime over the HIP driver and the fake libamdhip64 (ctest puts the
// fake's folder first in LD_LIBRARY_PATH): CU-mask partitions of virtual
// devices with a hard compute share, disjoint on one device as the fake
// records their streams' masks; and one overcommitted pool over cpu:0,
// vulkan:0 and hip:0 whose tenants never lose data (vulkan:0 is left out
// where no Vulkan device exists).
#include <bit>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"
#include "runtime/access.h"
#include "runtime/object_states.h"
#include "tests/cpu_device_fixture.h"
#include "tests/fake_hip/fake_hip_control.h"
#include "tests/tenant_workload.h"

namespace hal::testing {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

class HipPoolTest : public ::testing::Test {
 protected:
  virtual std::string Selector() const { return "hip:0"; }

  void SetUp() override {
    const std::string bundle_path =
        std::string(HAL_TEST_BINARY_DIR) + "/share/hal/kernels/standard.halb";
    setenv("HAL_FAKE_HIP_BUNDLES", bundle_path.c_str(), /*overwrite=*/0);
    // 40 CUs of a gfx90a: partitions of single CUs.
    hal_fake_hip_configure("memory_mib=256;cus=40", "gfx90a:sramecc+:xnack-");
    auto runtime = BuildTreeRuntime(Selector());
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    auto hip = runtime_->FindDevice("hip:0");
    ASSERT_TRUE(hip.ok()) << hip.status() << " (is the fake libamdhip64 first in LD_LIBRARY_PATH?)";
    hip_ = *hip;
    auto bundle = KernelBundle::ReadFile(bundle_path);
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));
  }

  void TearDown() override {
    tenants_.clear();
    pool_.reset();
    bundle_.reset();
    runtime_.reset();
  }

  std::shared_ptr<VirtualDevice> Tenant(const std::string& name, uint64_t quota, double share) {
    if (pool_ == nullptr) {
      auto pool = Pool::Create(runtime_->devices(), options_);
      EXPECT_TRUE(pool.ok()) << pool.status();
      if (!pool.ok()) return nullptr;
      pool_ = *std::move(pool);
    }
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    auto vd = pool_->CreateVirtualDevice(spec);
    EXPECT_TRUE(vd.ok()) << vd.status();
    if (!vd.ok()) return nullptr;
    tenants_.push_back(*vd);
    return *vd;
  }

  // The CU mask the fake recorded for a stream of `device` (empty: a stream
  // on every CU).
  static std::vector<uint32_t> StreamCuMask(const Device& device) {
    const auto& state = internal::Access::State(device);
    const hal_stream_desc desc{HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr, HAL_STREAM_PRIORITY_NORMAL};
    hal_drv_stream* stream = nullptr;
    EXPECT_EQ(state->table->stream_create(state->context, &desc, &stream), HAL_SUCCESS);
    if (stream == nullptr) return {};
    hal_native_handle handle{};
    EXPECT_EQ(state->table->native_handle(state->context, HAL_OBJECT_STREAM, stream, &handle),
              HAL_SUCCESS);
    std::vector<uint32_t> mask(8);
    mask.resize(hal_fake_hip_stream_cu_mask(static_cast<uintptr_t>(handle.value), mask.data(),
                                            static_cast<uint32_t>(mask.size())));
    state->table->stream_destroy(stream);
    return mask;
  }

  static uint32_t Units(const std::vector<uint32_t>& mask) {
    uint32_t units = 0;
    for (uint32_t word : mask) units += static_cast<uint32_t>(std::popcount(word));
    return units;
  }

  std::unique_ptr<Runtime> runtime_;
  const PhysicalDevice* hip_ = nullptr;
  std::unique_ptr<KernelBundle> bundle_;
  PoolOptions options_;
  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
};

TEST_F(HipPoolTest, TheDeviceReportsCuMaskPartitions) {
  const PartitionInfo& partition = hip_->properties().partition;
  EXPECT_EQ(partition.kind, PartitionKind::kCuMask);
  EXPECT_EQ(partition.max_units, 40u);
  EXPECT_GE(partition.min_units, 1u);
}

TEST_F(HipPoolTest, VirtualDevicesWithAHardShareGetDisjointCuMasks) {
  auto left = Tenant("left", 8 * kMiB, 0.5);
  auto right = Tenant("right", 8 * kMiB, 0.25);
  ASSERT_TRUE(left && right);
  EXPECT_EQ(left->compute_enforcement(), ComputeEnforcement::kHardPartition);
  const std::vector<uint32_t> left_mask = StreamCuMask(*left->device());
  const std::vector<uint32_t> right_mask = StreamCuMask(*right->device());
  EXPECT_EQ(Units(left_mask), left->device()->partition_units());
  EXPECT_EQ(Units(right_mask), right->device()->partition_units());
  EXPECT_EQ(Units(left_mask), 20u);
  EXPECT_EQ(Units(right_mask), 10u);
  for (size_t i = 0; i < std::min(left_mask.size(), right_mask.size()); ++i) {
    EXPECT_EQ(left_mask[i] & right_mask[i], 0u) << "word " << i;
  }
  // Their kernels run on those streams.
  for (const auto& tenant : {left, right}) {
    TenantWorkload workload(tenant, *bundle_, 7);
    const absl::Status status = workload.Run(10);
    EXPECT_TRUE(status.ok()) << status;
  }
}

class MixedPoolHipTest : public HipPoolTest {
 protected:
  std::string Selector() const override { return "cpu:0,vulkan:0,hip:0"; }
};

TEST_F(MixedPoolHipTest, TenantsOfEveryDriverNeverLoseData) {
  constexpr uint64_t kCapacity = 1 << 20;  // the pool's cap on each device
  options_.overcommit_ratio = 2.0;
  options_.placement = PlacementPolicy::kSpread;
  for (const PhysicalDevice* device : runtime_->devices()) {
    options_.capacity_caps[device->id()] = kCapacity;
  }
  std::vector<std::string> drivers;
  for (size_t t = 0; t < 2 * runtime_->devices().size(); ++t) {
    auto vd = Tenant("tenant-" + std::to_string(t), kCapacity, 0.5);
    ASSERT_NE(vd, nullptr);
    drivers.push_back(vd->placement().driver_name());
  }
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "hip"), 2);
  EXPECT_EQ(std::count(drivers.begin(), drivers.end(), "cpu"), 2);
  std::vector<TenantWorkload> workloads;
  for (size_t t = 0; t < tenants_.size(); ++t) {
    workloads.emplace_back(tenants_[t], *bundle_, 6000 + static_cast<uint32_t>(t));
  }
  for (int round = 0; round < 8; ++round) {
    for (TenantWorkload& workload : workloads) {
      const absl::Status status = workload.Run(25);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  for (const Pool::DeviceUsage& usage : pool_->usage()) {
    SCOPED_TRACE(usage.device->id());
    ASSERT_TRUE(usage.residency.has_value());
    EXPECT_LE(usage.residency->resident_bytes, kCapacity);
    EXPECT_GT(usage.residency->evictions, 0u);
  }
  EXPECT_LE(hal_fake_hip_bytes_in_use(0), kCapacity);  // the fake's own count
}

}  // namespace
}  // namespace hal::testing
