#include "backends/remote/range_allocator.h"

#include <vector>

#include "gtest/gtest.h"

namespace hal::remote {
namespace {

TEST(RangeAllocator, HandsOutAlignedRangesThatDoNotOverlap) {
  RangeAllocator ranges(4096);
  const std::optional<uint64_t> first = ranges.Allocate(1);
  const std::optional<uint64_t> second = ranges.Allocate(100);
  const std::optional<uint64_t> third = ranges.Allocate(64);
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(*first, 0u);
  EXPECT_EQ(*second, 64u);
  EXPECT_EQ(*third, 192u);
  EXPECT_EQ(ranges.allocated_bytes(), 64u + 128u + 64u);
}

TEST(RangeAllocator, RefusesWhatDoesNotFitUntilSomethingIsFreed) {
  RangeAllocator ranges(1024);
  const std::optional<uint64_t> half = ranges.Allocate(512);
  const std::optional<uint64_t> rest = ranges.Allocate(512);
  ASSERT_TRUE(half && rest);
  EXPECT_FALSE(ranges.Allocate(1));
  EXPECT_TRUE(ranges.Free(*half));
  EXPECT_EQ(ranges.Allocate(512), half);
}

TEST(RangeAllocator, RefusesZeroAndMoreThanCapacity) {
  RangeAllocator ranges(1024);
  EXPECT_FALSE(ranges.Allocate(0));
  EXPECT_FALSE(ranges.Allocate(1025));
  EXPECT_EQ(ranges.Allocate(1024), 0u);
}

TEST(RangeAllocator, FreedNeighboursMergeInAnyOrder) {
  RangeAllocator ranges(4 * 256);
  std::vector<uint64_t> offsets;
  for (int i = 0; i < 4; ++i) offsets.push_back(*ranges.Allocate(256));
  // Out of order, as streams complete: the middle ones, then the ends.
  EXPECT_TRUE(ranges.Free(offsets[2]));
  EXPECT_TRUE(ranges.Free(offsets[1]));
  EXPECT_TRUE(ranges.Free(offsets[3]));
  EXPECT_TRUE(ranges.Free(offsets[0]));
  EXPECT_EQ(ranges.allocated_bytes(), 0u);
  EXPECT_EQ(ranges.Allocate(1024), 0u);
}

TEST(RangeAllocator, FreeOfARangeNotHandedOutChangesNothing) {
  RangeAllocator ranges(1024);
  const uint64_t offset = *ranges.Allocate(128);
  EXPECT_FALSE(ranges.Free(offset + 64));
  EXPECT_TRUE(ranges.Free(offset));
  EXPECT_FALSE(ranges.Free(offset));
  EXPECT_EQ(ranges.allocated_bytes(), 0u);
}

TEST(RangeAllocator, TheLastRangeOfAnOddCapacityIsUsable) {
  RangeAllocator ranges(100);
  EXPECT_EQ(ranges.Allocate(64), 0u);
  EXPECT_EQ(ranges.Allocate(36), 64u);
  EXPECT_FALSE(ranges.Allocate(1));
}

}  // namespace
}  // namespace hal::remote
