// What every session of a hald shares: the pool it serves, the access rules
// (replaced on SIGHUP), the session registry and when the daemon started.
// Thread-safe.
#ifndef HAL_DAEMON_DAEMON_CONTEXT_H_
#define HAL_DAEMON_DAEMON_CONTEXT_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/access_policy.h"
#include "daemon/session_registry.h"
#include "hal/virtual_device.h"

namespace hal::daemon {

// What one session may make the daemon hold for it beyond what quotas charge.
struct SessionLimits {
  // Bytes of inline (TCP) downloads copied but not yet sent: a request of a
  // few bytes makes the daemon hold up to a frame's worth, so a client that
  // never reads could otherwise exhaust the daemon's memory. Past it a
  // download fails with ResourceExhausted (kept on its stream).
  uint64_t inline_download_bytes = uint64_t{1} << 30;
};

class DaemonContext {
 public:
  DaemonContext(Pool& pool, AccessPolicy policy)
      : pool_(pool), policy_(std::make_shared<const AccessPolicy>(std::move(policy))) {}

  Pool& pool() const { return pool_; }
  SessionRegistry& sessions() { return sessions_; }
  absl::Time started() const { return started_; }
  // Set before serving (tests lower them).
  SessionLimits& limits() { return limits_; }

  // The rules in force now; a session keeps the ones it read for one decision.
  std::shared_ptr<const AccessPolicy> policy() const {
    std::lock_guard<std::mutex> lock(mu_);
    return policy_;
  }
  void ReplacePolicy(AccessPolicy policy) {
    auto replacement = std::make_shared<const AccessPolicy>(std::move(policy));
    std::lock_guard<std::mutex> lock(mu_);
    policy_.swap(replacement);
  }

  // The pool's virtual device of that name, or null.
  std::shared_ptr<VirtualDevice> FindVirtualDevice(absl::string_view name) const {
    for (std::shared_ptr<VirtualDevice>& device : pool_.virtual_devices()) {
      if (device->name() == name) return device;
    }
    return nullptr;
  }

 private:
  Pool& pool_;
  const absl::Time started_ = absl::Now();
  SessionLimits limits_;
  SessionRegistry sessions_;
  mutable std::mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_;  // guarded by mu_
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_DAEMON_CONTEXT_H_
