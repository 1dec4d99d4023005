#include "backends/gpu_core/partitions.h"

#include <bit>
#include <set>
#include <vector>

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

TEST(PartitionsTest, CuMasksOfDisjointGroupsShareNoBit) {
  // An MI250X GCD: 110 CUs in groups of 1; an RX 6900 XT: 80 in pairs.
  EXPECT_EQ(CuMask({0, 1, 2}, 1, 110), (std::vector<uint32_t>{0x7, 0, 0, 0}));
  EXPECT_EQ(CuMask({31, 32, 109}, 1, 110),
            (std::vector<uint32_t>{0x80000000u, 0x1, 0, 1u << (109 - 96)}));
  EXPECT_EQ(CuMask({0, 17}, 2, 80), (std::vector<uint32_t>{0x3, 0x3 << 2, 0}));
  EXPECT_EQ(CuMask({2}, 3, 8), (std::vector<uint32_t>{0xC0}))
      << "the remainder group stops at the last unit";
  PartitionLedger ledger(110, 1);
  const auto a = ledger.Take(40);
  const auto b = ledger.Take(70);
  ASSERT_TRUE(a.has_value() && b.has_value());
  const std::vector<uint32_t> first = CuMask(*a, 1, 110), second = CuMask(*b, 1, 110);
  for (size_t word = 0; word < first.size(); ++word) {
    EXPECT_EQ(first[word] & second[word], 0u) << word;
    EXPECT_EQ(std::popcount(first[word]) + std::popcount(second[word]), word < 3 ? 32 : 110 - 96);
  }
}

TEST(PartitionsTest, RdnaMasksWorkGroupProcessorsOfTwoCus) {
  EXPECT_EQ(CuMaskGranularity("gfx908"), 1u);
  EXPECT_EQ(CuMaskGranularity("gfx90a"), 1u);
  EXPECT_EQ(CuMaskGranularity("gfx942"), 1u);
  EXPECT_EQ(CuMaskGranularity("gfx1030"), 2u);
  EXPECT_EQ(CuMaskGranularity("gfx1100"), 2u);
}

}  // namespace
}  // namespace hal::gpu
