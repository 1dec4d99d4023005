// GoogleTest helpers for absl::Status and absl::StatusOr in the CTS: a
// StatusIs(code) matcher and assertions that print the status on failure.
#ifndef HAL_CONFORMANCE_STATUS_MATCHERS_H_
#define HAL_CONFORMANCE_STATUS_MATCHERS_H_

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/status_macros.h"

namespace hal::cts {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// EXPECT_THAT(queue.Fill(...), StatusIs(absl::StatusCode::kInvalidArgument)).
MATCHER_P(StatusIs, code,
          absl::StrCat(negation ? "isn't" : "is", " a status with code ",
                       absl::StatusCodeToString(code))) {
  const absl::Status& status = StatusOf(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code;
}

// For ASSERT_PRED_FORMAT1: success when the status (or StatusOr) is OK.
template <typename StatusLike>
::testing::AssertionResult IsOk(const char* expression, const StatusLike& value) {
  const absl::Status& status = StatusOf(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expression << " failed: " << status;
}

}  // namespace hal::cts

#define HAL_CTS_EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::hal::cts::IsOk, expr)
#define HAL_CTS_ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::hal::cts::IsOk, expr)

// HAL_CTS_ASSERT_OK_AND_ASSIGN(auto buffer, device().Allocate(64)): asserts
// the StatusOr is OK (printing its status otherwise) and moves out its value.
#define HAL_CTS_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  HAL_CTS_ASSERT_OK_AND_ASSIGN_IMPL_(HAL_STATUS_CONCAT_(hal_cts_statusor_, __LINE__), lhs, expr)
#define HAL_CTS_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr)                  \
  auto statusor = (expr);                                                        \
  if (!statusor.ok()) GTEST_FAIL() << #expr << " failed: " << statusor.status(); \
  lhs = std::move(statusor).value()

#endif  // HAL_CONFORMANCE_STATUS_MATCHERS_H_
