// Who may do what on hald: the "hald" object of the pool file
// (docs/operator-guide.md, "Access rules") decides which peers may attach to
// which virtual devices and read the pool's status, and on which virtual
// devices a tenant's native (cpu-elf) kernels may run inside the daemon.
//
// A peer on the Unix socket is identified by SO_PEERCRED (uid, gid, pid: the
// kernel's word, not the client's); any peer may also present a token in
// Hello, compared by its SHA-256 digest in constant time. Operators may always
// do everything: root and the daemon's own uid over the Unix socket, from a
// process in hald's own PID namespace (root in a container without a user
// namespace is uid 0 too, but owns nothing of the host). Everyone else gets
// only what a rule grants; without a "hald" object no one else gets anything,
// and no TCP peer does.
//
// A peer whose Hello token is the token of a virtual device the admin
// requests created is *scoped* to it, whatever its uid: it may attach to
// that virtual device only, and may neither read the status nor administer.
// A token from the pool file's rules only adds what its rule grants.
//
// Immutable after FromPoolFile, so const calls are thread-safe; SIGHUP
// replaces the whole policy.
#ifndef HAL_DAEMON_ACCESS_POLICY_H_
#define HAL_DAEMON_ACCESS_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hal::daemon {

struct PeerIdentity {
  bool unix_socket = false;  // SO_PEERCRED values valid
  uint32_t uid = 0, gid = 0;
  int32_t pid = 0;
  std::string token;  // Hello.token ("" when none)
  std::string name;   // for messages
  // Whether `pid` runs in hald's own PID namespace (InDaemonPidNamespace):
  // an operator's uid counts only then.
  bool in_daemon_pid_namespace = false;
  // The created virtual device whose token Hello carried (ScopeOf, fixed at
  // Hello: the session stays scoped after that virtual device is destroyed).
  std::optional<std::string> scope;
};

// Whether process `pid` (in hald's PID namespace's numbering, as SO_PEERCRED
// gives it) runs in the same PID namespace as hald: /proc/<pid>/ns/pid and
// /proc/self/ns/pid are one inode of one device. False when either cannot be
// read (the process has gone, or /proc is not hald's).
bool InDaemonPidNamespace(int32_t pid);

class AccessPolicy {
 public:
  // The pool file's "hald" object, strictly validated: an unknown key, a
  // value of the wrong type, a virtual device the file does not define, a
  // user or group this host does not know, a digest that is not 64 hex
  // digits, or a rule that names no one or grants nothing is InvalidArgument
  // naming the file and the place. The rest of the file is Pool::FromFile's.
  static absl::StatusOr<AccessPolicy> FromPoolFile(const std::string& path);

  bool MayAttach(const PeerIdentity& peer, absl::string_view virtual_device) const;
  bool MayReadStatus(const PeerIdentity& peer) const;
  // Whether the peer may create and destroy virtual devices (the admin
  // requests): operators, and peers a rule with "admin": true names.
  bool MayAdminister(const PeerIdentity& peer) const;
  // Whether cpu-elf images (native code run in the daemon's own process) are
  // taken for `virtual_device` ("native_kernels" in the file; never by
  // default: a tenant's CPU kernel could read every other tenant's memory).
  bool AllowsNativeKernels(absl::string_view virtual_device) const;
  // The virtual device the admin requests created whose token `peer`
  // presented, if any: what its session is scoped to (see above).
  std::optional<std::string> ScopeOf(const PeerIdentity& peer) const;

  // One entry of "access": whom it names and what it grants them.
  struct Rule {
    std::set<uint32_t> uids;  // "uids" and the "users" resolved at load time
    std::set<uint32_t> gids;  // "gids" and the "groups" resolved at load time
    std::vector<std::array<uint8_t, 32>> token_digests;  // "tokens_sha256"
    bool all_virtual_devices = false;  // "virtual_devices": "*"
    std::set<std::string, std::less<>> virtual_devices;
    bool status = false;
    bool admin = false;  // "admin": the admin requests
  };

  // This policy with `grants` besides the file's rules: the daemon's own
  // rules for the virtual devices the admin requests created (each names a
  // token digest and uids and grants one virtual device).
  AccessPolicy WithGrants(std::vector<Rule> grants) const;
  // The SHA-256 digest of a token, as a rule's token_digests hold it.
  static std::array<uint8_t, 32> TokenDigest(absl::string_view token);

 private:
  AccessPolicy() = default;

  // Root or the daemon's uid on the Unix socket, in hald's PID namespace,
  // not scoped.
  bool IsOperator(const PeerIdentity& peer) const;
  // Whether some rule names `peer` and `grants` says that rule covers it.
  template <typename Grants>
  bool AnyRuleGrants(const PeerIdentity& peer, Grants grants) const;

  uint32_t daemon_uid_ = 0;
  std::vector<Rule> rules_;   // the pool file's
  std::vector<Rule> grants_;  // the admin requests' (WithGrants)
  bool all_native_kernels_ = false;
  std::set<std::string, std::less<>> native_kernels_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_ACCESS_POLICY_H_
