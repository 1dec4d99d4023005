#include "runtime/loaded_driver.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"

namespace hal::internal {

LoadedDriver::LoadedDriver(std::string name, void* dl_handle, const hal_driver_table* table)
    : name_(std::move(name)), dl_handle_(dl_handle), table_(table) {}

LoadedDriver::~LoadedDriver() {
  table_->shutdown();
  dlclose(dl_handle_);
}

absl::Status LoadedDriver::ToStatus(hal_result result, absl::string_view what) const {
  const absl::StatusCode code = StatusCodeForResult(result);
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  std::string message = DriverMessage(*table_);
  if (message.empty()) message = "(the driver gave no message)";
  return absl::Status(code, absl::StrCat(name_, " driver: ", what, " failed (", ResultName(result),
                                         "): ", message));
}

std::string DriverMessage(const hal_driver_table& table) {
  const char* message = table.last_error_message();
  return message != nullptr ? message : "";
}

absl::StatusCode StatusCodeForResult(hal_result result) {
  switch (result) {
    case HAL_SUCCESS:
    case HAL_NOT_READY:
      return absl::StatusCode::kOk;
    case HAL_ERROR_INVALID_ARGUMENT:
      return absl::StatusCode::kInvalidArgument;
    case HAL_ERROR_OUT_OF_MEMORY:
      return absl::StatusCode::kResourceExhausted;
    case HAL_ERROR_NOT_FOUND:
      return absl::StatusCode::kNotFound;
    case HAL_ERROR_UNAVAILABLE:
      return absl::StatusCode::kUnavailable;
    case HAL_ERROR_FAILED_PRECONDITION:
      return absl::StatusCode::kFailedPrecondition;
    case HAL_ERROR_UNSUPPORTED:
      return absl::StatusCode::kUnimplemented;
    case HAL_ERROR_INTERNAL:
      return absl::StatusCode::kInternal;
  }
  // A value outside the ABI is a driver bug, never success.
  return absl::StatusCode::kInternal;
}

const char* ResultName(hal_result result) {
  switch (result) {
    case HAL_SUCCESS:
      return "HAL_SUCCESS";
    case HAL_NOT_READY:
      return "HAL_NOT_READY";
    case HAL_ERROR_INVALID_ARGUMENT:
      return "HAL_ERROR_INVALID_ARGUMENT";
    case HAL_ERROR_OUT_OF_MEMORY:
      return "HAL_ERROR_OUT_OF_MEMORY";
    case HAL_ERROR_NOT_FOUND:
      return "HAL_ERROR_NOT_FOUND";
    case HAL_ERROR_UNAVAILABLE:
      return "HAL_ERROR_UNAVAILABLE";
    case HAL_ERROR_FAILED_PRECONDITION:
      return "HAL_ERROR_FAILED_PRECONDITION";
    case HAL_ERROR_UNSUPPORTED:
      return "HAL_ERROR_UNSUPPORTED";
    case HAL_ERROR_INTERNAL:
      return "HAL_ERROR_INTERNAL";
  }
  return "HAL_ERROR_<unknown>";
}

}  // namespace hal::internal
