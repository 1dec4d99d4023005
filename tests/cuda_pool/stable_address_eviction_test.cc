// Stable-address eviction: on a device with Capability::kVirtualMemory, the
// residency manager of an overcommitted pool allocates buffers of at least
// the device's virtual-memory granularity decommittable, evicts them by
// copying out and decommitting, and restores them by recommitting at the
// same device address and copying in. Run on cuda:0 through the fake
// libcuda (cuMemAddressReserve/cuMemCreate/cuMemMap) and on cpu:0 where its
// driver reports the capability.
#include <cuda.h>

#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"

namespace hal::testing {
namespace {

class StableAddressEvictionTest : public CudaPoolTest,
                                  public ::testing::WithParamInterface<std::string> {
 protected:
  std::string Selector() const override { return "cpu:0,cuda:0"; }

  void SetUp() override {
    CudaPoolTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto device = runtime_->FindDevice(GetParam());
    ASSERT_TRUE(device.ok()) << device.status();
    device_ = *device;
    const DeviceProperties& props = device_->properties();
    if (!props.capabilities.has(Capability::kVirtualMemory) ||
        !props.capabilities.has(Capability::kDeviceAddress)) {
      GTEST_SKIP() << GetParam() << " reports no virtual memory or device addresses: "
                   << "[" << absl::StrJoin(props.capabilities.names(), ", ") << "]";
    }
    granularity_ = props.virtual_memory_granularity;
    ASSERT_GT(granularity_, 0u);
  }

  // An overcommitted pool of the device alone, whose capacity holds
  // `capacity_buffers` buffers of `buffer_size`, and two tenants whose
  // quotas each fill it.
  void MakeTenants(uint64_t buffer_size, int capacity_buffers) {
    PoolOptions options;
    options.overcommit_ratio = 2.0;
    options.capacity_caps[device_->id()] = buffer_size * capacity_buffers;
    options.host_memory_limit_bytes = 64 * buffer_size * capacity_buffers;
    auto pool = Pool::Create({device_}, options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    for (const char* name : {"a", "b"}) {
      auto vd = MakeVirtualDevice(*pool_, Spec(name, buffer_size * capacity_buffers, 0.5));
      ASSERT_NE(vd, nullptr);
      queues_.push_back(*vd->device()->CreateQueue());
      tenants_.push_back(std::move(vd));
    }
  }

  std::shared_ptr<Buffer> Allocate(int tenant, uint64_t size, uint32_t pattern) {
    auto buffer = tenants_[tenant]->device()->Allocate(size);
    EXPECT_TRUE(buffer.ok()) << buffer.status();
    if (!buffer.ok()) return nullptr;
    Write(*queues_[tenant], **buffer, pattern);
    return *std::move(buffer);
  }

  Pool::ResidencyUsage Residency() const { return *pool_->usage()[0].residency; }

  void TearDown() override {
    queues_.clear();
    tenants_.clear();
    pool_.reset();
    CudaPoolTest::TearDown();
  }

  const PhysicalDevice* device_ = nullptr;
  uint64_t granularity_ = 0;
  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
  std::vector<std::unique_ptr<Queue>> queues_;
};

TEST_P(StableAddressEvictionTest, EvictAndRestoreKeepTheAddressAndTheContents) {
  const uint64_t size = 2 * granularity_;
  ASSERT_NO_FATAL_FAILURE(MakeTenants(size, 2));
  auto a0 = Allocate(0, size, 0xa0a0a0a0);
  auto a1 = Allocate(0, size, 0xa1a1a1a1);
  ASSERT_TRUE(a0 && a1);
  const uint64_t address0 = DeviceAddress(*a0);
  const uint64_t address1 = DeviceAddress(*a1);
  // Tenant b's buffers need the whole capacity: a's are evicted.
  auto b0 = Allocate(1, size, 0xb0b0b0b0);
  auto b1 = Allocate(1, size, 0xb1b1b1b1);
  ASSERT_TRUE(b0 && b1);
  EXPECT_EQ(Residency().evictions, 2u);
  EXPECT_EQ(Residency().stable_address_evictions, 2u);
  EXPECT_LE(Residency().resident_bytes, 2 * size);
  if (GetParam() == "cuda:0") {
    EXPECT_LE(fake_.bytes_in_use(0), 2 * size);
  }
  // Using a's buffers restores them where they were, with their contents.
  EXPECT_TRUE(Holds(*queues_[0], *a0, 0xa0a0a0a0));
  EXPECT_TRUE(Holds(*queues_[0], *a1, 0xa1a1a1a1));
  EXPECT_EQ(DeviceAddress(*a0), address0);
  EXPECT_EQ(DeviceAddress(*a1), address1);
  EXPECT_GE(Residency().restores, 2u);
  // And b's, evicted in turn, too.
  EXPECT_TRUE(Holds(*queues_[1], *b0, 0xb0b0b0b0));
  EXPECT_TRUE(Holds(*queues_[1], *b1, 0xb1b1b1b1));
  EXPECT_EQ(Residency().evictions, Residency().stable_address_evictions);
  if (GetParam() == "cuda:0") {
    EXPECT_LE(fake_.bytes_in_use(0), 2 * size);
  }
}

// The device refusing memory for a restore fails the command that needed it
// with ResourceExhausted; the buffer stays decommitted, with its contents
// kept on the host, and a later use restores it at its address.
TEST_P(StableAddressEvictionTest, ARestoreTheDeviceRefusesLeavesTheBufferEvicted) {
  if (GetParam() != "cuda:0") GTEST_SKIP() << "the fault is injected through the fake libcuda";
  const uint64_t size = 2 * granularity_;
  ASSERT_NO_FATAL_FAILURE(MakeTenants(size, 1));
  auto a = Allocate(0, size, 0xa0a0a0a0);
  auto b = Allocate(1, size, 0xb0b0b0b0);
  ASSERT_TRUE(a && b);
  const uint64_t address = DeviceAddress(*a);
  fake_.fail_next("cuMemCreate", CUDA_ERROR_OUT_OF_MEMORY, 1);
  uint32_t word = 0;
  const absl::Status refused = queues_[0]->CopyDeviceToHost(*a, 0, &word, sizeof(word));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("CUDA_ERROR_OUT_OF_MEMORY"));
  EXPECT_TRUE(Holds(*queues_[0], *a, 0xa0a0a0a0));
  EXPECT_EQ(DeviceAddress(*a), address);
  EXPECT_TRUE(Holds(*queues_[1], *b, 0xb0b0b0b0));
}

// A buffer evicted at a stable address still holds its reserved range: it
// is freed with its tenant's buffer, and the device holds nothing after.
TEST_P(StableAddressEvictionTest, AnEvictedBufferIsFreedWhole) {
  const uint64_t size = 2 * granularity_;
  ASSERT_NO_FATAL_FAILURE(MakeTenants(size, 1));
  auto a = Allocate(0, size, 1);
  auto b = Allocate(1, size, 2);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(Residency().stable_address_evictions, 1u);
  a.reset();
  b.reset();
  EXPECT_EQ(Residency().resident_bytes, 0u);
  EXPECT_EQ(tenants_[0]->memory_used(), 0u);
  if (GetParam() == "cuda:0") {
    EXPECT_EQ(fake_.bytes_in_use(0), 0u);
  }
}

// Below the granularity a decommittable buffer would take a whole granule:
// such buffers keep the free-and-reallocate path.
TEST_P(StableAddressEvictionTest, SmallBuffersAreFreedAndAllocatedAnew) {
  const uint64_t size = granularity_ / 4;
  ASSERT_NO_FATAL_FAILURE(MakeTenants(size, 2));
  auto a0 = Allocate(0, size, 0xa0a0a0a0);
  auto a1 = Allocate(0, size, 0xa1a1a1a1);
  auto b0 = Allocate(1, size, 0xb0b0b0b0);
  auto b1 = Allocate(1, size, 0xb1b1b1b1);
  ASSERT_TRUE(a0 && a1 && b0 && b1);
  EXPECT_EQ(Residency().evictions, 2u);
  EXPECT_EQ(Residency().stable_address_evictions, 0u);
  EXPECT_TRUE(Holds(*queues_[0], *a0, 0xa0a0a0a0));
  EXPECT_TRUE(Holds(*queues_[0], *a1, 0xa1a1a1a1));
}

INSTANTIATE_TEST_SUITE_P(Devices, StableAddressEvictionTest,
                         ::testing::Values(std::string("cuda:0"), std::string("cpu:0")),
                         [](const auto& info) {
                           return info.param.substr(0, info.param.find(':'));
                         });

}  // namespace
}  // namespace hal::testing
