// Status propagation helpers: return on error, adding a "while ..." line of
// context instead of losing where the error came from.
#ifndef HAL_STATUS_MACROS_H_
#define HAL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace hal {

// Returns `status` with `context` appended as a "while ..." line.
inline absl::Status AnnotateStatus(const absl::Status& status, absl::string_view context) {
  if (status.ok() || context.empty()) return status;
  return absl::Status(status.code(), absl::StrCat(status.message(), "\n  while ", context));
}

}  // namespace hal

#define HAL_STATUS_CONCAT_INNER_(a, b) a##b
#define HAL_STATUS_CONCAT_(a, b) HAL_STATUS_CONCAT_INNER_(a, b)

// HAL_RETURN_IF_ERROR(expr) or HAL_RETURN_IF_ERROR(expr, "context", args...):
// the context pieces are joined with absl::StrCat only on failure.
#define HAL_RETURN_IF_ERROR(expr, ...)                                            \
  do {                                                                            \
    ::absl::Status hal_status_ = (expr);                                          \
    if (!hal_status_.ok())                                                        \
      return ::hal::AnnotateStatus(hal_status_, ::absl::StrCat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (false)

// HAL_ASSIGN_OR_RETURN(lhs, expr[, "context", args...]).
#define HAL_ASSIGN_OR_RETURN(lhs, expr, ...) \
  HAL_ASSIGN_OR_RETURN_IMPL_(HAL_STATUS_CONCAT_(hal_statusor_, __LINE__), lhs, expr __VA_OPT__(, ) __VA_ARGS__)
#define HAL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr, ...)                        \
  auto statusor = (expr);                                                           \
  if (!statusor.ok())                                                               \
    return ::hal::AnnotateStatus(statusor.status(),                                 \
                                 ::absl::StrCat("" __VA_OPT__(, ) __VA_ARGS__));    \
  lhs = std::move(statusor).value()

#endif  // HAL_STATUS_MACROS_H_
