#include "tests/fake_vendor/allocation_registry.h"

#include <gtest/gtest.h>

#include "tests/fake_vendor/device_memory.h"

namespace hal::fake {
namespace {

TEST(AllocationRegistryTest, FindsTheRangeHoldingAnAddressAndRefusesOverlaps) {
  AllocationRegistry registry;
  ASSERT_TRUE(registry.Insert({0x1000, 0x100, MemoryKind::kDevice, 0}));
  ASSERT_TRUE(registry.Insert({0x2000, 0x100, MemoryKind::kHost, -1}));
  EXPECT_FALSE(registry.Insert({0x10ff, 0x10, MemoryKind::kDevice, 0}));
  EXPECT_FALSE(registry.Insert({0x0f00, 0x101, MemoryKind::kDevice, 0}));
  EXPECT_FALSE(registry.Insert({0x3000, 0, MemoryKind::kDevice, 0}));
  EXPECT_EQ(registry.Find(0x10ff)->base, 0x1000u);
  EXPECT_FALSE(registry.Find(0x1100).has_value());
  EXPECT_FALSE(registry.Find(0x0fff).has_value());
  EXPECT_TRUE(registry.FindSpan(0x1080, 0x80).has_value());
  EXPECT_FALSE(registry.FindSpan(0x1080, 0x81).has_value());
  EXPECT_FALSE(registry.Erase(0x1001).has_value());
  EXPECT_EQ(registry.Erase(0x1000)->size, 0x100u);
  EXPECT_FALSE(registry.Find(0x1000).has_value());
  EXPECT_EQ(registry.EraseAll().size(), 1u);
  EXPECT_FALSE(registry.Find(0x2000).has_value());
}

TEST(DeviceMemoryTest, RoundsChargesAndRunsOutAtCapacity) {
  AllocationRegistry registry;
  DeviceMemory memory(0, 4096, 512, &registry);
  absl::StatusOr<void*> first = memory.Allocate(1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(memory.bytes_in_use(), 512u);
  EXPECT_EQ(registry.Find(reinterpret_cast<uintptr_t>(*first))->size, 512u);
  EXPECT_EQ(memory.Allocate(4096).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(memory.Allocate(8192).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(memory.Allocate(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(memory.Charge(4096 - 512 + 1).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(memory.Charge(1024).ok());
  EXPECT_EQ(memory.bytes_in_use(), 1536u);
  memory.Uncharge(1024);
  EXPECT_EQ(memory.Free(static_cast<char*>(*first) + 1).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(memory.Free(*first).ok());
  EXPECT_EQ(memory.Free(*first).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(memory.bytes_in_use(), 0u);
}

TEST(DeviceMemoryTest, FreeRefusesAnotherDevicesAllocation) {
  AllocationRegistry registry;
  DeviceMemory zero(0, 4096, 512, &registry);
  DeviceMemory one(1, 4096, 512, &registry);
  absl::StatusOr<void*> memory = zero.Allocate(100);
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(one.Free(*memory).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(registry.Find(reinterpret_cast<uintptr_t>(*memory)).has_value());
  EXPECT_TRUE(zero.Free(*memory).ok());
}

}  // namespace
}  // namespace hal::fake
