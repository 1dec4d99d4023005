#include "backends/gpu_core/vendor_errors.h"

#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/gpu_objects.h"

namespace hal::gpu {

VendorErrorTable::VendorErrorTable(std::span<const VendorError> errors, hal_result unknown_result)
    : unknown_result_(unknown_result) {
  for (const VendorError& error : errors) by_code_.emplace(error.code, &error);
}

const VendorError* VendorErrorTable::Find(int code) const {
  const auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : it->second;
}

hal_result VendorErrorTable::ResultOf(int code) const {
  const VendorError* error = Find(code);
  return error == nullptr ? unknown_result_ : error->result;
}

bool VendorErrorTable::IsSticky(int code) const {
  const VendorError* error = Find(code);
  return error != nullptr && error->sticky;
}

std::string VendorErrorTable::Describe(std::string_view function, int code,
                                       std::string_view description) const {
  const VendorError* error = Find(code);
  std::string message(function);
  message += ": ";
  message += error == nullptr ? "unknown error" : error->name;
  message += " (" + std::to_string(code) + ")";
  if (!description.empty()) {
    message += ": ";
    message += description;
  }
  return message;
}

hal_result VendorErrorTable::Check(int code, std::string_view function,
                                   std::string_view description, ContextHealth* health) const {
  if (code == 0) return HAL_SUCCESS;
  const std::string message = Describe(function, code, description);
  if (IsSticky(code)) {
    if (health != nullptr) health->MarkLost(message);
    return Fail(HAL_ERROR_UNAVAILABLE, message);
  }
  return Fail(ResultOf(code), message);
}

}  // namespace hal::gpu
