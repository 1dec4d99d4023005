#include "hal/types.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

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

TEST(TypesTest, CapabilityNames) {
  EXPECT_STREQ(CapabilityName(Capability::kDeviceAddress), "device-address");
  EXPECT_STREQ(CapabilityName(Capability::kVirtualMemory), "virtual-memory");
  EXPECT_STREQ(CapabilityName(Capability::kHostRegistration), "host-registration");
  EXPECT_STREQ(CapabilityName(Capability::kNativeHandles), "native-handles");
  EXPECT_STREQ(CapabilityName(Capability::kStreamPriority), "stream-priority");
  EXPECT_STREQ(CapabilityName(Capability::kMemoryCache), "memory-cache");
}

// The public bits are the driver ABI's, so a driver's word converts as is.
TEST(TypesTest, CapabilityBitsAreTheDriverAbis) {
  EXPECT_EQ(static_cast<uint32_t>(Capability::kDeviceAddress), HAL_CAPABILITY_DEVICE_ADDRESS);
  EXPECT_EQ(static_cast<uint32_t>(Capability::kVirtualMemory), HAL_CAPABILITY_VIRTUAL_MEMORY);
  EXPECT_EQ(static_cast<uint32_t>(Capability::kHostRegistration), HAL_CAPABILITY_HOST_REGISTRATION);
  EXPECT_EQ(static_cast<uint32_t>(Capability::kNativeHandles), HAL_CAPABILITY_NATIVE_HANDLES);
  EXPECT_EQ(static_cast<uint32_t>(Capability::kStreamPriority), HAL_CAPABILITY_STREAM_PRIORITY);
  EXPECT_EQ(static_cast<uint32_t>(Capability::kMemoryCache), HAL_CAPABILITY_MEMORY_CACHE);
}

TEST(TypesTest, CapabilitySetListsItsMembersInBitOrder) {
  const CapabilitySet set(HAL_CAPABILITY_NATIVE_HANDLES | HAL_CAPABILITY_DEVICE_ADDRESS);
  EXPECT_TRUE(set.has(Capability::kDeviceAddress));
  EXPECT_TRUE(set.has(Capability::kNativeHandles));
  EXPECT_FALSE(set.has(Capability::kVirtualMemory));
  EXPECT_THAT(set.names(), ::testing::ElementsAre("device-address", "native-handles"));
  EXPECT_THAT(CapabilitySet().names(), ::testing::IsEmpty());
}

// A later ABI's bits this runtime has no name for are not reported as if known.
TEST(TypesTest, CapabilitySetDropsUnknownBits) {
  const CapabilitySet set(0xffffffffu);
  EXPECT_EQ(set.bits(), (1u << CapabilitySet::kAll.size()) - 1);
  EXPECT_EQ(set.names().size(), CapabilitySet::kAll.size());
}

}  // namespace
}  // namespace hal
