#include "tests/fake_vendor/call_ledger.h"

#include <gtest/gtest.h>

namespace hal::fake {
namespace {

TEST(CallLedgerTest, CountsCallsAndAnswersInjectedFailuresForTheNextCallsOnly) {
  CallLedger ledger;
  EXPECT_EQ(ledger.CallCount("cuMemAlloc"), 0u);
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
  ledger.FailNext("cuMemAlloc", 2, 2);
  EXPECT_EQ(ledger.OnCall("cuMemAlloc"), 2);
  EXPECT_FALSE(ledger.OnCall("cuMemFree").has_value());  // another function
  EXPECT_EQ(ledger.OnCall("cuMemAlloc"), 2);
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
  EXPECT_EQ(ledger.CallCount("cuMemAlloc"), 4u);
  ledger.FailNext("cuMemAlloc", 2, 5);
  ledger.FailNext("cuMemAlloc", 2, 0);  // a count of 0 withdraws it
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
}

TEST(CallLedgerTest, KeepsTheLastViolationUntilReset) {
  CallLedger ledger;
  EXPECT_STREQ(ledger.last_violation(), "");
  ledger.RecordViolation("first");
  ledger.RecordViolation("second");
  EXPECT_STREQ(ledger.last_violation(), "second");
  ledger.FailNext("f", 1, 1);
  ledger.OnCall("g");
  ledger.Reset();
  EXPECT_STREQ(ledger.last_violation(), "");
  EXPECT_EQ(ledger.CallCount("g"), 0u);
  EXPECT_FALSE(ledger.OnCall("f").has_value());
}

TEST(CallLedgerTest, TheNthCallFailsAlone) {
  CallLedger ledger;
  ledger.FailCall("cuMemAlloc", 2, 3);
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
  EXPECT_FALSE(ledger.OnCall("cuMemFree").has_value());
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
  EXPECT_EQ(ledger.OnCall("cuMemAlloc"), 2);  // the third
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
  ledger.FailCall("cuMemAlloc", 2, 1);
  ledger.Reset();  // forgets it
  EXPECT_FALSE(ledger.OnCall("cuMemAlloc").has_value());
}

}  // namespace
}  // namespace hal::fake
