#include "daemon/byte_budget.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace hal::daemon {
namespace {

TEST(ByteBudgetTest, AReservationHoldsItsBytesUntilItsLastHolderLetsGo) {
  ByteBudget budget;
  std::shared_ptr<const void> first = budget.TryReserve(600, 1000);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(budget.reserved(), 600u);
  EXPECT_EQ(budget.TryReserve(401, 1000), nullptr) << "past the limit";
  EXPECT_EQ(budget.reserved(), 600u) << "a refusal reserves nothing";
  std::shared_ptr<const void> second = budget.TryReserve(400, 1000);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(budget.reserved(), 1000u);

  std::shared_ptr<const void> copy = first;
  first.reset();
  EXPECT_EQ(budget.reserved(), 1000u) << "a copy still holds it";
  copy.reset();
  EXPECT_EQ(budget.reserved(), 400u);
  second.reset();
  EXPECT_EQ(budget.reserved(), 0u);
}

TEST(ByteBudgetTest, ALimitOfZeroOrNearTheTopOfTheRangeRefusesWithoutWrapping) {
  ByteBudget budget;
  EXPECT_EQ(budget.TryReserve(1, 0), nullptr);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  std::shared_ptr<const void> most = budget.TryReserve(kMax - 1, kMax);
  ASSERT_NE(most, nullptr);
  EXPECT_EQ(budget.TryReserve(2, kMax), nullptr) << "would wrap past 2^64";
  EXPECT_EQ(budget.reserved(), kMax - 1);
}

TEST(ByteBudgetTest, AReservationOutlivesTheBudget) {
  std::shared_ptr<const void> reservation;
  {
    ByteBudget budget;
    reservation = budget.TryReserve(10, 10);
    ASSERT_NE(reservation, nullptr);
  }
  reservation.reset();  // gives its bytes back to a counter it shares (ASan checks)
}

}  // namespace
}  // namespace hal::daemon
