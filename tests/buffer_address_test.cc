// Buffer::DeviceAddress and Buffer::Pin on the CPU driver
// (HAL_CAPABILITY_DEVICE_ADDRESS, HAL_CAPABILITY_VIRTUAL_MEMORY): addresses
// outside a pool, and in an overcommitted pool, where only a pinned buffer or
// one evicted in place (decommitted at its address) may hand one out.
#include <unistd.h>

#include <cstring>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "tests/pool_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kCapacity = 1 << 20;  // the overcommitted pool's cap on cpu:0

class BufferAddressTest : public testing::PoolTest {
 protected:
  // A pool of cpu:0 capped at kCapacity, overcommitted 4x, and a virtual
  // device with a quota of twice the capacity.
  std::shared_ptr<VirtualDevice> OvercommittedVirtualDevice() {
    PoolOptions options;
    options.overcommit_ratio = 4;
    options.capacity_caps[physical_->id()] = kCapacity;
    pool_ = MakePool(options);
    if (pool_ == nullptr) return nullptr;
    return MakeVirtualDevice(*pool_, "tenant", 2 * kCapacity);
  }
  void TearDown() override {
    pool_.reset();
    PoolTest::TearDown();
  }
  std::unique_ptr<Pool> pool_;
};

TEST_F(BufferAddressTest, AddressesAreTheHostAddressesDistinctStableAndAligned) {
  ASSERT_TRUE(physical_->properties().capabilities.has(Capability::kDeviceAddress));
  std::set<uint64_t> seen;
  std::vector<std::shared_ptr<Buffer>> buffers;
  for (int i = 0; i < 8; ++i) {
    buffers.push_back(MustAllocate(100 + i));
    auto address = buffers.back()->DeviceAddress();
    ASSERT_TRUE(address.ok()) << address.status();
    EXPECT_EQ(*address % physical_->properties().min_buffer_alignment, 0u);
    EXPECT_TRUE(seen.insert(*address).second) << "distinct";
    auto again = buffers.back()->DeviceAddress();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *address) << "stable";
    auto host = buffers.back()->Map();
    ASSERT_TRUE(host.ok());
    EXPECT_EQ(*address, reinterpret_cast<uintptr_t>(*host));
  }
}

TEST_F(BufferAddressTest, PinOutsideAnOvercommittedPoolChangesNothing) {
  std::shared_ptr<Buffer> buffer = MustAllocate(64);
  auto before = buffer->DeviceAddress();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(buffer->Pin().ok());
  ASSERT_TRUE(buffer->Pin().ok()) << "pinning twice is fine";
  EXPECT_EQ(*buffer->DeviceAddress(), *before);
}

// A buffer below the page size (the CPU's virtual-memory granularity), or a
// staging buffer, is freed on eviction and allocated anew on restore.
TEST_F(BufferAddressTest, InAnOvercommittedPoolABufferThatWouldMoveMustBePinned) {
  std::shared_ptr<VirtualDevice> vd = OvercommittedVirtualDevice();
  ASSERT_NE(vd, nullptr);
  for (const auto& [size, kind] : {std::pair{uint64_t{256}, BufferKind::kDevice},
                                   std::pair{uint64_t{1} << 16, BufferKind::kHostStaging}}) {
    auto buffer = vd->device()->Allocate(size, kind);
    ASSERT_TRUE(buffer.ok()) << buffer.status();
    auto refused = (*buffer)->DeviceAddress();
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(refused.status().message(), HasSubstr("eviction could move it to a new address"));
    EXPECT_THAT(refused.status().message(), HasSubstr("Pin() it first"));
    ASSERT_TRUE((*buffer)->Pin().ok());
    auto address = (*buffer)->DeviceAddress();
    EXPECT_TRUE(address.ok()) << address.status();
  }
}

// Buffers of at least a page are decommitted at their address on eviction:
// the address is given without a pin and survives eviction and restore.
TEST_F(BufferAddressTest, InAnOvercommittedPoolAnAddressSurvivesEviction) {
  std::shared_ptr<VirtualDevice> vd = OvercommittedVirtualDevice();
  ASSERT_NE(vd, nullptr);
  auto queue = vd->device()->CreateQueue();
  ASSERT_TRUE(queue.ok()) << queue.status();
  const uint64_t size = kCapacity * 3 / 4;  // two never fit at once
  auto first = vd->device()->Allocate(size);
  ASSERT_TRUE(first.ok()) << first.status();
  auto address = (*first)->DeviceAddress();
  ASSERT_TRUE(address.ok()) << address.status();
  const std::vector<uint8_t> data(size, 0x6b);
  ASSERT_TRUE((*queue)->CopyHostToDevice(data.data(), **first, 0, size).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  // Using a second buffer of the same size evicts the first.
  auto second = vd->device()->Allocate(size);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE((*queue)->Fill(**second, 0, size, 0).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  const std::vector<Pool::DeviceUsage> usage = pool_->usage();
  ASSERT_EQ(usage.size(), 1u);
  ASSERT_TRUE(usage[0].residency.has_value());
  EXPECT_GE(usage[0].residency->stable_address_evictions, 1u);
  // The first comes back, at the same address, with its contents.
  std::vector<uint8_t> read(size);
  ASSERT_TRUE((*queue)->CopyDeviceToHost(**first, 0, read.data(), size).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(read, data);
  auto after = (*first)->DeviceAddress();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, *address);
}

// An allocation the pool starts evicted (no room) has its memory reserved
// when its address is asked for.
TEST_F(BufferAddressTest, AnAddressOfABufferAllocatedEvictedIsGivenAndKept) {
  std::shared_ptr<VirtualDevice> vd = OvercommittedVirtualDevice();
  ASSERT_NE(vd, nullptr);
  const uint64_t size = kCapacity * 3 / 4;
  auto first = vd->device()->Allocate(size);
  auto second = vd->device()->Allocate(size);
  ASSERT_TRUE(first.ok() && second.ok());
  auto first_address = (*first)->DeviceAddress();
  auto second_address = (*second)->DeviceAddress();
  ASSERT_TRUE(first_address.ok()) << first_address.status();
  ASSERT_TRUE(second_address.ok()) << second_address.status();
  EXPECT_NE(*first_address, *second_address);
  EXPECT_EQ(*(*first)->DeviceAddress(), *first_address);
}

}  // namespace
}  // namespace hal
