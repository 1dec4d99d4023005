// Green-context partitions: a virtual device with a compute share below 1 on
// a device with SM partitions gets a context of its share of SMs, asked
// aligned (so shares summing to at most 1 fit together) and granted as the
// driver rounds (at least the minimum, a multiple of the alignment); the
// partitions of one device are disjoint and placement refuses what no longer
// fits. Without green contexts the share is time-sliced.
#include <string>

#include "gmock/gmock.h"
#include "tests/cuda_pool/cuda_pool_fixture.h"

namespace hal::testing {
namespace {

using ::testing::HasSubstr;

class SmPartitionTest : public CudaPoolTest {
 protected:
  // An H100's 132 SMs: minimum partition and alignment 8 on sm_90.
  std::string Config() const override { return "memory_mib=256;sm=90;sms=132"; }

  void TearDown() override {
    tenants_.clear();
    pool_.reset();
    CudaPoolTest::TearDown();
  }

  std::shared_ptr<VirtualDevice> Tenant(const std::string& name, double share) {
    if (pool_ == nullptr) pool_ = MakePool();
    if (pool_ == nullptr) return nullptr;
    auto vd = MakeVirtualDevice(*pool_, Spec(name, 8 * kMiB, share));
    if (vd != nullptr) tenants_.push_back(vd);
    return vd;
  }

  std::unique_ptr<Pool> pool_;
  std::vector<std::shared_ptr<VirtualDevice>> tenants_;
};

TEST_F(SmPartitionTest, TheDeviceReportsHoppersMinimumAndAlignment) {
  const PartitionInfo& partition = cuda_->properties().partition;
  EXPECT_EQ(partition.kind, PartitionKind::kSm);
  EXPECT_EQ(partition.min_units, 8u);
  EXPECT_EQ(partition.alignment, 8u);
  EXPECT_EQ(partition.max_units, 132u);
}

// The measured H100 behaviour the driver reproduces: 33 SMs asked, 40 given.
TEST_F(SmPartitionTest, ADeviceAskingThirtyThreeSmsGetsForty) {
  DeviceOptions options;
  options.partition_units = 33;
  auto device = cuda_->Open(options);
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ((*device)->partition_units(), 40u);
  EXPECT_EQ(StreamSmCount(**device), 40u);
}

// A quarter of 132 SMs is 33, asked as 32 (aligned); a tiny share is raised
// to the minimum partition.
TEST_F(SmPartitionTest, AVirtualDeviceGetsItsShareAlignedAndAtLeastTheMinimum) {
  auto quarter = Tenant("quarter", 0.25);
  auto tiny = Tenant("tiny", 0.01);
  ASSERT_TRUE(quarter && tiny);
  EXPECT_EQ(quarter->compute_enforcement(), ComputeEnforcement::kHardPartition);
  EXPECT_EQ(quarter->device()->partition_units(), 32u);
  EXPECT_EQ(StreamSmCount(*quarter->device()), 32u);
  EXPECT_EQ(tiny->device()->partition_units(), 8u);
  EXPECT_EQ(StreamSmCount(*tiny->device()), 8u);
  EXPECT_EQ(pool_->usage()[0].partition_units_placed, 40u);
}

TEST_F(SmPartitionTest, PartitionsOfOneDeviceAreDisjoint) {
  auto left = Tenant("left", 0.5);
  auto right = Tenant("right", 0.5);
  ASSERT_TRUE(left && right);
  const uint32_t left_sms = StreamSmCount(*left->device());
  const uint32_t right_sms = StreamSmCount(*right->device());
  EXPECT_EQ(left_sms, 64u);
  EXPECT_EQ(right_sms, 64u);
  EXPECT_LE(left_sms + right_sms, 132u);
  EXPECT_EQ(pool_->usage()[0].partition_units_placed, 128u);
}

// Sixteen shares of 0.05 are each raised to the 8-SM minimum: 128 SMs. A
// seventeenth fits the unplaced compute share but not the 4 SMs left.
TEST_F(SmPartitionTest, PlacementRefusesWhenTheSmsAreUsedUp) {
  for (int i = 0; i < 16; ++i) ASSERT_NE(Tenant("t" + std::to_string(i), 0.05), nullptr);
  auto refused = pool_->CreateVirtualDevice(Spec("one-too-many", 8 * kMiB, 0.05));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("cuda:0: has 4 of its 132 sm partition units"));
  // Giving a partition back makes room again.
  pool_.reset();
  tenants_.clear();
  EXPECT_NE(Tenant("after", 0.05), nullptr);
}

class NoGreenContextsTest : public CudaPoolTest {
 protected:
  std::string Config() const override { return "memory_mib=256;green=0"; }
};

TEST_F(NoGreenContextsTest, AShareIsTimeSliced) {
  EXPECT_EQ(cuda_->properties().partition.kind, PartitionKind::kNone);
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  auto vd = MakeVirtualDevice(*pool, Spec("half", 8 * kMiB, 0.5));
  ASSERT_NE(vd, nullptr);
  EXPECT_EQ(vd->compute_enforcement(), ComputeEnforcement::kTimeSlice);
  EXPECT_EQ(StreamSmCount(*vd->device()), 0u);
  // Its work runs through the time-slice gate and is measured.
  auto queue = vd->device()->CreateQueue();
  ASSERT_TRUE(queue.ok()) << queue.status();
  auto kernel = vd->device()->LoadKernel(*bundle_, "fill_f32");
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  auto buffer = vd->device()->Allocate(4096);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  struct {
    float value;
    uint32_t n;
  } constants{2.0f, 1024};
  const BufferBinding bindings[] = {{buffer->get(), 0}};
  ASSERT_TRUE((*queue)->Dispatch(**kernel, {4, 1, 1}, bindings, constants).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  float first = 0;
  ASSERT_TRUE((*queue)->CopyDeviceToHost(**buffer, 0, &first, sizeof(first)).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(first, 2.0f);
}

}  // namespace
}  // namespace hal::testing
