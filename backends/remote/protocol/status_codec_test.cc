#include "backends/remote/protocol/status_codec.h"

#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace hal::remote {
namespace {

TEST(RemoteProtocolStatus, RoundTripsEveryCode) {
  for (int code = 1; code <= static_cast<int>(absl::StatusCode::kUnauthenticated); ++code) {
    const absl::Status status(static_cast<absl::StatusCode>(code), "what happened");
    EXPECT_EQ(FromWire(ToWire(status)), status) << code;
  }
  EXPECT_TRUE(FromWire(ToWire(absl::OkStatus())).ok());
  EXPECT_TRUE(FromWire(WireStatus()).ok());  // unset: success
}

TEST(RemoteProtocolStatus, UnknownWireCodeIsInternalNamingIt) {
  for (int code : {-1, 17, 1000}) {
    WireStatus wire;
    wire.set_code(code);
    wire.set_message("boom");
    const absl::Status status = FromWire(wire);
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << code;
    EXPECT_NE(status.message().find(std::to_string(code)), absl::string_view::npos);
    EXPECT_NE(status.message().find("boom"), absl::string_view::npos);
  }
}

TEST(RemoteProtocolStatus, ResultFromStatusMirrorsTheRuntime) {
  const std::vector<std::pair<absl::StatusCode, hal_result>> cases = {
      {absl::StatusCode::kOk, HAL_SUCCESS},
      {absl::StatusCode::kInvalidArgument, HAL_ERROR_INVALID_ARGUMENT},
      {absl::StatusCode::kResourceExhausted, HAL_ERROR_OUT_OF_MEMORY},
      {absl::StatusCode::kNotFound, HAL_ERROR_NOT_FOUND},
      {absl::StatusCode::kUnavailable, HAL_ERROR_UNAVAILABLE},
      {absl::StatusCode::kFailedPrecondition, HAL_ERROR_FAILED_PRECONDITION},
      {absl::StatusCode::kPermissionDenied, HAL_ERROR_FAILED_PRECONDITION},
      {absl::StatusCode::kUnimplemented, HAL_ERROR_UNSUPPORTED},
      {absl::StatusCode::kInternal, HAL_ERROR_INTERNAL},
      {absl::StatusCode::kDeadlineExceeded, HAL_ERROR_INTERNAL},
      {absl::StatusCode::kDataLoss, HAL_ERROR_INTERNAL},
  };
  for (const auto& [code, result] : cases) {
    EXPECT_EQ(ResultFromStatus(absl::Status(code, "x")), result) << absl::StatusCodeToString(code);
  }
}

TEST(RemoteProtocolStatus, PermissionDeniedKeepsItsNameInTheMessage) {
  EXPECT_EQ(ResultMessage(absl::PermissionDeniedError("uid 1000 may not attach to a")),
            "permission denied: uid 1000 may not attach to a");
  EXPECT_EQ(ResultMessage(absl::NotFoundError("no kernel k")), "no kernel k");
}

TEST(RemoteProtocolStatus, StatusFromResultMirrorsTheRuntime) {
  EXPECT_TRUE(StatusFromResult(HAL_SUCCESS, "").ok());
  EXPECT_TRUE(StatusFromResult(HAL_NOT_READY, "").ok());
  const std::vector<std::pair<hal_result, absl::StatusCode>> cases = {
      {HAL_ERROR_INVALID_ARGUMENT, absl::StatusCode::kInvalidArgument},
      {HAL_ERROR_OUT_OF_MEMORY, absl::StatusCode::kResourceExhausted},
      {HAL_ERROR_NOT_FOUND, absl::StatusCode::kNotFound},
      {HAL_ERROR_UNAVAILABLE, absl::StatusCode::kUnavailable},
      {HAL_ERROR_FAILED_PRECONDITION, absl::StatusCode::kFailedPrecondition},
      {HAL_ERROR_UNSUPPORTED, absl::StatusCode::kUnimplemented},
      {HAL_ERROR_INTERNAL, absl::StatusCode::kInternal},
      {static_cast<hal_result>(-8), absl::StatusCode::kInternal},  // unknown, in the enum's range
  };
  for (const auto& [result, code] : cases) {
    const absl::Status status = StatusFromResult(result, "driver said so");
    EXPECT_EQ(status.code(), code) << result;
    EXPECT_EQ(status.message(), "driver said so");
    // And back: every ABI error survives the round trip.
    if (result >= HAL_ERROR_INTERNAL) {
      EXPECT_EQ(ResultFromStatus(status), result);
    }
  }
}

}  // namespace
}  // namespace hal::remote
