#include "backends/gpu_core/partitions.h"

#include <set>

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

TEST(PartitionsTest, GrantRoundsUpToTheAlignmentAboveTheMinimumCappedAtTheDevice) {
  EXPECT_EQ(GrantedUnits(33, 8, 8, 132), 40u) << "measured on an H100";
  EXPECT_EQ(GrantedUnits(1, 8, 8, 132), 8u);
  EXPECT_EQ(GrantedUnits(64, 8, 8, 132), 64u);
  EXPECT_EQ(GrantedUnits(130, 8, 8, 132), 132u);
  EXPECT_EQ(GrantedUnits(3, 2, 2, 108), 4u);
  EXPECT_EQ(GrantedUnits(5, 6, 4, 100), 8u) << "minimum first, then the alignment";
  EXPECT_EQ(GrantedUnits(5, 0, 0, 100), 5u) << "alignment 0 counts as 1";
}

TEST(PartitionsTest, LedgerHandsOutDisjointGroupsUntilTheDeviceIsFull) {
  PartitionLedger ledger(132, 8);
  EXPECT_EQ(ledger.free_units(), 132u);
  EXPECT_EQ(ledger.group_units(0), 8u);
  EXPECT_EQ(ledger.group_units(16), 4u) << "the remainder group";
  const auto first = ledger.Take(40);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 5u);
  const auto second = ledger.Take(88);
  ASSERT_TRUE(second.has_value());
  std::set<uint32_t> all(first->begin(), first->end());
  for (const uint32_t group : *second) EXPECT_TRUE(all.insert(group).second) << group;
  EXPECT_EQ(ledger.free_units(), 4u);
  EXPECT_FALSE(ledger.Take(8).has_value());
  ledger.Give(*first);
  EXPECT_EQ(ledger.free_units(), 44u);
  EXPECT_TRUE(ledger.Take(40).has_value());
}

TEST(PartitionsTest, WholeDeviceTakesTheRemainderGroupToo) {
  PartitionLedger ledger(132, 8);
  const auto all = ledger.Take(GrantedUnits(132, 8, 8, 132));
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 17u);
  EXPECT_EQ(ledger.free_units(), 0u);
}

}  // namespace
}  // namespace hal::gpu
