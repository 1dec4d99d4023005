#include "backends/gpu_core/gpu_objects.h"

#include "backends/gpu_core/driver_error.h"

namespace hal::gpu {

void ContextHealth::MarkLost(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (lost_.load(std::memory_order_relaxed)) return;
  reason_ = reason;
  lost_.store(true, std::memory_order_release);
}

hal_result ContextHealth::Check() const {
  if (!lost()) return HAL_SUCCESS;
  std::lock_guard lock(mutex_);
  return Fail(HAL_ERROR_UNAVAILABLE, "the context is lost after a sticky error: " + reason_);
}

hal_result FirstError::Record(hal_result result, const std::string& message) {
  std::lock_guard lock(mutex_);
  if (result_ == HAL_SUCCESS) {
    result_ = result;
    message_ = message;
  }
  return result_;
}

hal_result FirstError::Get() const {
  std::lock_guard lock(mutex_);
  if (result_ == HAL_SUCCESS) return HAL_SUCCESS;
  return Fail(result_, message_);
}

}  // namespace hal::gpu
