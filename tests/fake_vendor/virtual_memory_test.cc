#include "tests/fake_vendor/virtual_memory.h"

#include <gtest/gtest.h>

#include <cstring>

namespace hal::fake {
namespace {

constexpr uint64_t kGranule = 2 << 20;

TEST(VirtualMemoryTest, ContentsSurviveUnmapAndRemapAtTheSameAddress) {
  absl::StatusOr<uintptr_t> base = ReserveAddressRange(2 * kGranule, kGranule);
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(*base % kGranule, 0u);
  absl::StatusOr<PhysicalMemory> physical = PhysicalMemory::Create(kGranule);
  ASSERT_TRUE(physical.ok()) << physical.status();
  ASSERT_TRUE(physical->MapAt(*base, kGranule, 0).ok());
  ASSERT_TRUE(SetReadWrite(*base, kGranule).ok());
  auto* bytes = reinterpret_cast<char*>(*base);
  std::memcpy(bytes, "stable", 7);
  ASSERT_TRUE(UnmapToReservation(*base, kGranule).ok());
  // The same physical memory, mapped again, still holds what was written.
  ASSERT_TRUE(physical->MapAt(*base, kGranule, 0).ok());
  ASSERT_TRUE(SetReadWrite(*base, kGranule).ok());
  EXPECT_STREQ(bytes, "stable");
  // Other physical memory at the same address starts zeroed.
  ASSERT_TRUE(UnmapToReservation(*base, kGranule).ok());
  absl::StatusOr<PhysicalMemory> other = PhysicalMemory::Create(kGranule);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->MapAt(*base, kGranule, 0).ok());
  ASSERT_TRUE(SetReadWrite(*base, kGranule).ok());
  EXPECT_EQ(bytes[0], 0);
  ASSERT_TRUE(UnmapToReservation(*base, kGranule).ok());
  EXPECT_TRUE(ReleaseAddressRange(*base, 2 * kGranule).ok());
}

TEST(VirtualMemoryTest, AnUnmappedRangeIsInaccessible) {
  // Other tests of this binary start threads: the child re-executes instead of forking them.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  absl::StatusOr<uintptr_t> base = ReserveAddressRange(kGranule, kGranule);
  ASSERT_TRUE(base.ok());
  EXPECT_DEATH(*reinterpret_cast<volatile char*>(*base) = 1, "");
  EXPECT_TRUE(ReleaseAddressRange(*base, kGranule).ok());
}

TEST(VirtualMemoryTest, MovedPhysicalMemoryKeepsItsDescriptor) {
  absl::StatusOr<PhysicalMemory> physical = PhysicalMemory::Create(kGranule);
  ASSERT_TRUE(physical.ok());
  PhysicalMemory moved = *std::move(physical);
  EXPECT_EQ(moved.size(), kGranule);
  absl::StatusOr<uintptr_t> base = ReserveAddressRange(kGranule, kGranule);
  ASSERT_TRUE(base.ok());
  EXPECT_TRUE(moved.MapAt(*base, kGranule, 0).ok());
  EXPECT_TRUE(ReleaseAddressRange(*base, kGranule).ok());
}

TEST(VirtualMemoryTest, MappingBeyondThePhysicalSizeFails) {
  absl::StatusOr<PhysicalMemory> physical = PhysicalMemory::Create(kGranule);
  ASSERT_TRUE(physical.ok());
  EXPECT_FALSE(physical->MapAt(0x1000, kGranule, 1).ok());  // misaligned offset
}

}  // namespace
}  // namespace hal::fake
