#include "backends/common/driver_error.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace hal::driver_support {
namespace {

TEST(DriverErrorTest, FailRecordsTheMessageAndReturnsTheResult) {
  EXPECT_EQ(Fail(HAL_ERROR_NOT_FOUND, "no such kernel"), HAL_ERROR_NOT_FOUND);
  EXPECT_STREQ(LastErrorMessage(), "no such kernel");
  EXPECT_EQ(Fail(HAL_ERROR_INVALID_ARGUMENT, {"kernel '", "saxpy", "': bad"}),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(LastErrorMessage(), "kernel 'saxpy': bad");
}

TEST(DriverErrorTest, EachThreadHasItsOwnMessage) {
  Fail(HAL_ERROR_INTERNAL, "this thread's");
  std::thread([] {
    EXPECT_STREQ(LastErrorMessage(), "");
    Fail(HAL_ERROR_INTERNAL, "the other thread's");
  }).join();
  EXPECT_STREQ(LastErrorMessage(), "this thread's");
}

TEST(DriverErrorTest, AMessageExtendingTheLastOneKeepsBoth) {
  Fail(HAL_ERROR_INTERNAL, "first");
  Fail(HAL_ERROR_INTERNAL, {LastErrorMessage(), "; second"});
  EXPECT_STREQ(LastErrorMessage(), "first; second");
}

TEST(DriverErrorTest, LongMessagesAreTruncatedNotOverflowed) {
  const std::string half(kMaxErrorMessageSize / 2 + 10, 'x');
  EXPECT_EQ(Fail(HAL_ERROR_INTERNAL, {half, half, half}), HAL_ERROR_INTERNAL);
  EXPECT_EQ(std::string(LastErrorMessage()), std::string(kMaxErrorMessageSize - 1, 'x'));
}

constexpr ExceptionBarrier Guarded{"the test driver"};

TEST(DriverErrorTest, GuardedPassesResultsThrough) {
  EXPECT_EQ(Guarded([] { return HAL_ERROR_UNSUPPORTED; }), HAL_ERROR_UNSUPPORTED);
}

TEST(DriverErrorTest, GuardedTurnsExceptionsIntoResultsNamingTheDriver) {
  EXPECT_EQ(Guarded([]() -> hal_result { throw std::runtime_error("boom"); }), HAL_ERROR_INTERNAL);
  EXPECT_STREQ(LastErrorMessage(), "the test driver failed: boom");
  EXPECT_EQ(Guarded([]() -> hal_result { throw std::bad_alloc(); }), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_STREQ(LastErrorMessage(), "the test driver ran out of host memory");
}

}  // namespace
}  // namespace hal::driver_support
