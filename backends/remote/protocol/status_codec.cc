#include "backends/remote/protocol/status_codec.h"

#include "absl/strings/str_cat.h"

namespace hal::remote {

WireStatus ToWire(const absl::Status& status) {
  WireStatus wire;
  wire.set_code(static_cast<int32_t>(status.code()));
  wire.set_message(std::string(status.message()));
  return wire;
}

absl::Status FromWire(const WireStatus& wire) {
  const int32_t code = wire.code();
  if (code == 0) return absl::OkStatus();
  if (code < 0 || code > static_cast<int32_t>(absl::StatusCode::kUnauthenticated)) {
    return absl::InternalError(
        absl::StrCat("peer sent unknown status code ", code, ": ", wire.message()));
  }
  return absl::Status(static_cast<absl::StatusCode>(code), wire.message());
}

hal_result ResultFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return HAL_SUCCESS;
    case absl::StatusCode::kInvalidArgument:
      return HAL_ERROR_INVALID_ARGUMENT;
    case absl::StatusCode::kResourceExhausted:
      return HAL_ERROR_OUT_OF_MEMORY;
    case absl::StatusCode::kNotFound:
      return HAL_ERROR_NOT_FOUND;
    case absl::StatusCode::kUnavailable:
      return HAL_ERROR_UNAVAILABLE;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
      return HAL_ERROR_FAILED_PRECONDITION;
    case absl::StatusCode::kUnimplemented:
      return HAL_ERROR_UNSUPPORTED;
    default:
      return HAL_ERROR_INTERNAL;
  }
}

std::string ResultMessage(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    return absl::StrCat("permission denied: ", status.message());
  }
  return std::string(status.message());
}

absl::Status StatusFromResult(hal_result result, absl::string_view message) {
  switch (result) {
    case HAL_SUCCESS:
    case HAL_NOT_READY:
      return absl::OkStatus();
    case HAL_ERROR_INVALID_ARGUMENT:
      return absl::InvalidArgumentError(message);
    case HAL_ERROR_OUT_OF_MEMORY:
      return absl::ResourceExhaustedError(message);
    case HAL_ERROR_NOT_FOUND:
      return absl::NotFoundError(message);
    case HAL_ERROR_UNAVAILABLE:
      return absl::UnavailableError(message);
    case HAL_ERROR_FAILED_PRECONDITION:
      return absl::FailedPreconditionError(message);
    case HAL_ERROR_UNSUPPORTED:
      return absl::UnimplementedError(message);
    case HAL_ERROR_INTERNAL:
      break;
  }
  return absl::InternalError(message);
}

}  // namespace hal::remote
