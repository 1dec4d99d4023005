#include "runtime/context_health.h"

#include <pthread.h>

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
  internal::Access::State(device)->health.ArmFault();
  return absl::OkStatus();
}

namespace internal {

std::atomic<uint32_t> ContextHealth::forks_{0};

ContextHealth::ContextHealth()
    : fork_generation_([] {
        // Registered once, before the first context exists; the handler only
        // bumps an atomic, which is safe in a child of a threaded process.
        static const int registered = pthread_atfork(nullptr, nullptr, [] { forks_.fetch_add(1); });
        (void)registered;
        return forks_.load();
      }()) {}

void ContextHealth::Record(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kUnavailable) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_.load(std::memory_order_relaxed)) return;
  first_failure_ = status;
  lost_.store(true, std::memory_order_release);
}

absl::Status ContextHealth::UnusableStatus(const std::string& label) const {
  if (fork_generation_ != forks_.load()) {
    return absl::UnavailableError(absl::StrCat(
        "device context ", label,
        " was created before this process forked and cannot be used in the child: its driver's "
        "threads do not exist here; exec, or create a new Runtime in the child (see "
        "hal/runtime.h)"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  return absl::UnavailableError(absl::StrCat("device context ", label,
                                             " was lost and can no longer be used; the first "
                                             "failure was: ",
                                             first_failure_.message()));
}

}  // namespace internal
}  // namespace hal
