// What every session of a hald shares: the pool it serves, the access rules
// (the pool file's, replaced on SIGHUP, plus the grants of the virtual
// devices the admin requests created), the session registry and when the
// daemon started. Thread-safe.
#ifndef HAL_DAEMON_DAEMON_CONTEXT_H_
#define HAL_DAEMON_DAEMON_CONTEXT_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/access_policy.h"
#include "daemon/byte_budget.h"
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
  // Bytes of sessions' shared memory registered with their devices, all
  // sessions together (hald --registered-shm-bytes). Registration lets the
  // device copy to and from that memory in place (a DMA on a GPU, one buffer
  // copy on lavapipe), and a GPU pins what is registered: past this, a
  // session's copies read its shared memory as plain host memory.
  uint64_t registered_shared_memory_bytes = uint64_t{1} << 30;
  // The most of them one session registers (hald
  // --registered-shm-bytes-per-session): the first bytes of its shared
  // memory, the rest read as plain host memory, so that one tenant's large
  // HAL_REMOTE_SHM_BYTES does not take the whole budget from the others. Four
  // default rings (remote::kDefaultSharedMemoryBytes).
  uint64_t registered_shared_memory_bytes_per_session = uint64_t{64} << 20;
};

// A virtual device an admin request created (not the pool file).
struct DynamicVirtualDevice {
  std::string owner;           // who asked, as hal-info --pool shows it
  uint64_t lease_session = 0;  // the creating session when leased, else 0
  AccessPolicy::Rule grant;    // its token's digest and attach_uids
  bool retiring = false;       // being destroyed: no new attach, no grant
};

class DaemonContext {
 public:
  DaemonContext(Pool& pool, AccessPolicy policy);

  Pool& pool() const { return pool_; }
  SessionRegistry& sessions() { return sessions_; }
  absl::Time started() const { return started_; }
  // Set before serving (tests lower them).
  SessionLimits& limits() { return limits_; }
  // What sessions' registered shared memory holds of
  // limits().registered_shared_memory_bytes.
  ByteBudget& registered_shared_memory() { return registered_shared_memory_; }

  // The rules in force now; a session keeps the ones it read for one decision.
  std::shared_ptr<const AccessPolicy> policy() const;
  // The pool file's rules read again; the admin requests' grants stay.
  void ReplacePolicy(AccessPolicy policy);

  // The pool's virtual device of that name, or null; one being destroyed
  // is null too (no new session may attach to it).
  std::shared_ptr<VirtualDevice> FindVirtualDevice(absl::string_view name) const;
  // The pool's virtual devices but those being destroyed.
  std::vector<std::shared_ptr<VirtualDevice>> VirtualDevices() const;

  // Serializes the admin requests (create, destroy, a lease's end) with one
  // another and with the pool file's reload.
  std::mutex& admin_mutex() { return admin_mu_; }
  // The admin requests' bookkeeping; their grants join policy() at once.
  void AddDynamic(const std::string& name, DynamicVirtualDevice device);
  std::optional<DynamicVirtualDevice> Dynamic(absl::string_view name) const;
  // Marks it being destroyed and withdraws its grant.
  void Retire(const std::string& name);
  void RemoveDynamic(const std::string& name);
  // Names of the dynamic virtual devices leased to `session`.
  std::vector<std::string> LeasedBy(uint64_t session) const;
  // Virtual device name -> owner of every dynamic virtual device.
  std::map<std::string, std::string> Owners() const;

 private:
  void RebuildPolicyLocked();  // needs mu_ held

  Pool& pool_;
  const absl::Time started_ = absl::Now();
  SessionLimits limits_;
  ByteBudget registered_shared_memory_;
  SessionRegistry sessions_;
  std::mutex admin_mu_;
  mutable std::mutex mu_;
  AccessPolicy file_policy_;                                          // guarded by mu_
  std::map<std::string, DynamicVirtualDevice, std::less<>> dynamic_;  // guarded by mu_
  std::shared_ptr<const AccessPolicy> policy_;  // file_policy_ + grants; guarded by mu_
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_DAEMON_CONTEXT_H_
