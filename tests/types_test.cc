#include "hal/types.h"

#include "gtest/gtest.h"

namespace hal {
namespace {

// hal-info's JSON schema documents these exact strings.
TEST(TypesTest, PartitionKindNames) {
  EXPECT_STREQ(PartitionKindName(PartitionKind::kNone), "none");
  EXPECT_STREQ(PartitionKindName(PartitionKind::kSm), "sm");
  EXPECT_STREQ(PartitionKindName(PartitionKind::kCuMask), "cu-mask");
  EXPECT_STREQ(PartitionKindName(PartitionKind::kSubDevice), "sub-device");
}

TEST(TypesTest, DeviceTypeNames) {
  EXPECT_STREQ(DeviceTypeName(DeviceType::kOther), "other");
  EXPECT_STREQ(DeviceTypeName(DeviceType::kCpu), "cpu");
  EXPECT_STREQ(DeviceTypeName(DeviceType::kDiscreteGpu), "discrete-gpu");
  EXPECT_STREQ(DeviceTypeName(DeviceType::kIntegratedGpu), "integrated-gpu");
  EXPECT_STREQ(DeviceTypeName(DeviceType::kVirtualGpu), "virtual-gpu");
}

}  // namespace
}  // namespace hal
