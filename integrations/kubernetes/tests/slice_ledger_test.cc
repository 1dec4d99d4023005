#include "integrations/kubernetes/slice_ledger.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::kubernetes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kStart = absl::FromUnixSeconds(1000);

TEST(SliceLedgerTest, RecordsWhoHoldsWhichSlices) {
  SliceLedger ledger;
  ASSERT_TRUE(ledger.Assign("a", {0, 1}, kStart).ok());
  ASSERT_TRUE(ledger.Assign("b", {3}, kStart + absl::Seconds(5)).ok());
  EXPECT_THAT(ledger.HoldersOf({1, 3}), ElementsAre("a", "b"));
  EXPECT_THAT(ledger.HoldersOf({2}), IsEmpty());
  EXPECT_EQ(ledger.holdings().at("a").slices, (std::set<int>{0, 1}));
  ASSERT_TRUE(ledger.Release("a").ok());
  EXPECT_THAT(ledger.HoldersOf({0, 1}), IsEmpty());
}

TEST(SliceLedgerTest, RefusesOverlapsRepeatsAndNothingLeavingItUnchanged) {
  SliceLedger ledger;
  ASSERT_TRUE(ledger.Assign("a", {0, 1}, kStart).ok());
  EXPECT_EQ(ledger.Assign("b", {1, 2}, kStart).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ledger.Assign("a", {5}, kStart).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ledger.Assign("c", {}, kStart).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger.Release("b").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ledger.holdings().size(), 1u);
}

TEST(SliceLedgerTest, UnusedAreThoseNoPodHoldsOlderThanTheGrace) {
  SliceLedger ledger;
  ASSERT_TRUE(ledger.Assign("old-held", {0}, kStart).ok());
  ASSERT_TRUE(ledger.Assign("old-free", {1, 2}, kStart).ok());
  ASSERT_TRUE(ledger.Assign("young-free", {3}, kStart + absl::Seconds(30)).ok());
  EXPECT_THAT(ledger.Unused({0}, kStart + absl::Seconds(10)), ElementsAre("old-free"));
  // One slice of a virtual device still held keeps it.
  EXPECT_THAT(ledger.Unused({0, 2}, kStart + absl::Seconds(10)), IsEmpty());
  EXPECT_THAT(ledger.Unused({}, kStart + absl::Seconds(31)),
              ElementsAre("old-free", "old-held", "young-free"));
}

}  // namespace
}  // namespace hal::kubernetes
