#include "hal/status_macros.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

absl::Status FailWith(absl::StatusCode code) { return absl::Status(code, "inner problem"); }

absl::Status PropagateWithContext(absl::StatusCode code) {
  HAL_RETURN_IF_ERROR(FailWith(code), "loading kernel ", 42);
  return absl::OkStatus();
}

absl::Status PropagatePlain(absl::StatusCode code) {
  HAL_RETURN_IF_ERROR(FailWith(code));
  return absl::OkStatus();
}

absl::StatusOr<int> MaybeInt(bool ok) {
  if (!ok) return absl::NotFoundError("no int");
  return 7;
}

absl::StatusOr<int> Doubled(bool ok) {
  HAL_ASSIGN_OR_RETURN(int value, MaybeInt(ok), "doubling");
  return value * 2;
}

TEST(StatusMacrosTest, ReturnIfErrorKeepsCodeAndAddsContext) {
  absl::Status status = PropagateWithContext(absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("inner problem"));
  EXPECT_THAT(status.message(), HasSubstr("while loading kernel 42"));
  EXPECT_TRUE(PropagateWithContext(absl::StatusCode::kOk).ok());
}

TEST(StatusMacrosTest, ReturnIfErrorWithoutContextLeavesTheMessage) {
  absl::Status status = PropagatePlain(absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "inner problem");
}

TEST(StatusMacrosTest, AssignOrReturn) {
  auto good = Doubled(true);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 14);
  auto bad = Doubled(false);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bad.status().message(), HasSubstr("while doubling"));
}

}  // namespace
}  // namespace hal
