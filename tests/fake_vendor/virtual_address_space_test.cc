#include "tests/fake_vendor/virtual_address_space.h"

#include <cstring>

#include "gtest/gtest.h"

namespace hal::fake {
namespace {

constexpr uint64_t kGranularity = 64 << 10;

TEST(VirtualAddressSpaceTest, MappingsKeepContentsAndReleasedMemoryLivesWhileMapped) {
  AllocationRegistry registry;
  DeviceMemory memory(0, 4 * kGranularity, 256, &registry);
  VirtualAddressSpace space(kGranularity, &registry);
  absl::StatusOr<uintptr_t> base = space.Reserve(2 * kGranularity, 0);
  ASSERT_TRUE(base.ok()) << base.status();
  absl::StatusOr<uint64_t> handle = space.Create(0, &memory, kGranularity);
  ASSERT_TRUE(handle.ok()) << handle.status();
  EXPECT_EQ(memory.bytes_in_use(), kGranularity);
  ASSERT_TRUE(space.Map(*base + kGranularity, kGranularity, 0, *handle).ok());
  EXPECT_TRUE(registry.FindSpan(*base + kGranularity, kGranularity).has_value());
  EXPECT_EQ(*space.MappedDevice(*base + kGranularity, kGranularity), 0);
  ASSERT_TRUE(space.SetReadWrite(*base + kGranularity, kGranularity).ok());
  std::memset(reinterpret_cast<void*>(*base + kGranularity), 0x42, 16);
  ASSERT_TRUE(space.Unmap(*base + kGranularity, kGranularity).ok());
  EXPECT_FALSE(registry.Find(*base + kGranularity).has_value());
  ASSERT_TRUE(space.Map(*base, kGranularity, 0, *handle).ok());  // elsewhere in the range
  ASSERT_TRUE(space.SetReadWrite(*base, kGranularity).ok());
  EXPECT_EQ(*reinterpret_cast<const uint8_t*>(*base + 15), 0x42);
  EXPECT_EQ(space.Free(*base, 2 * kGranularity).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(space.Release(*handle).ok());
  EXPECT_EQ(memory.bytes_in_use(), kGranularity);  // still mapped
  EXPECT_EQ(space.Release(*handle).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(space.Unmap(*base, kGranularity).ok());
  EXPECT_EQ(memory.bytes_in_use(), 0u);
  EXPECT_TRUE(space.Free(*base, 2 * kGranularity).ok());
}

TEST(VirtualAddressSpaceTest, BadArgumentsAndExhaustionAreRefused) {
  AllocationRegistry registry;
  DeviceMemory memory(0, kGranularity, 256, &registry);
  VirtualAddressSpace space(kGranularity, &registry);
  EXPECT_EQ(space.Reserve(kGranularity + 1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.Reserve(kGranularity, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.Create(0, &memory, 2 * kGranularity).status().code(),
            absl::StatusCode::kResourceExhausted);
  absl::StatusOr<uintptr_t> base = space.Reserve(kGranularity, 0);
  absl::StatusOr<uint64_t> handle = space.Create(0, &memory, kGranularity);
  ASSERT_TRUE(base.ok() && handle.ok());
  EXPECT_EQ(space.Map(*base + kGranularity, kGranularity, 0, *handle).code(),
            absl::StatusCode::kInvalidArgument);  // outside the reservation
  EXPECT_EQ(space.Map(*base, kGranularity, kGranularity, *handle).code(),
            absl::StatusCode::kInvalidArgument);  // past the physical memory
  EXPECT_EQ(space.Map(*base, kGranularity, 0, *handle + 1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.SetReadWrite(*base, kGranularity).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.Unmap(*base, kGranularity).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.MappedDevice(*base, kGranularity).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.Free(*base + kGranularity, kGranularity).code(),
            absl::StatusCode::kInvalidArgument);
  // What is left goes with the space, its physical memory uncharged.
}

}  // namespace
}  // namespace hal::fake
