#include "runtime/context_health.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "hal/device.h"
#include "hal/fault_injection.h"
#include "runtime/object_states.h"

namespace hal {
namespace {

std::atomic<bool>& InjectionSwitch() {
  static std::atomic<bool> enabled{[] {
    const char* value = std::getenv("HAL_FAULT_INJECTION");
    return value != nullptr && std::strcmp(value, "1") == 0;
  }()};
  return enabled;
}

}  // namespace

void SetFaultInjectionEnabled(bool enabled) { InjectionSwitch().store(enabled); }
bool FaultInjectionEnabled() { return InjectionSwitch().load(); }

absl::Status InjectDeviceLost(Device& device) {
  if (!FaultInjectionEnabled()) {
    return absl::FailedPreconditionError(
        "fault injection is off: set HAL_FAULT_INJECTION=1 or call SetFaultInjectionEnabled(true)");
  }
  device.state()->health.ArmFault();
  return absl::OkStatus();
}

namespace internal {

void ContextHealth::Record(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kUnavailable) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_.load(std::memory_order_relaxed)) return;
  first_failure_ = status;
  lost_.store(true, std::memory_order_release);
}

absl::Status ContextHealth::LostStatus(const std::string& label) const {
  std::lock_guard<std::mutex> lock(mu_);
  return absl::UnavailableError(absl::StrCat("device context ", label,
                                             " was lost and can no longer be used; the first "
                                             "failure was: ",
                                             first_failure_.message()));
}

}  // namespace internal
}  // namespace hal
