#include "daemon/access_policy.h"

#include <grp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "nlohmann/json.hpp"
#include "runtime/strict_json.h"

namespace hal::daemon {
namespace {

using nlohmann::json;

// Where a problem is: "pool file P: hald.access[2].users[0]".
struct Place {
  const std::string& path;
  std::string where;
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("pool file ", path, ": ", where, " ", what));
  }
  Place At(absl::string_view key) const { return {path, absl::StrCat(where, ".", key)}; }
  Place At(size_t index) const { return {path, absl::StrCat(where, "[", index, "]")}; }
};

// getpwnam_r/getgrnam_r/getpwuid_r want a buffer whose size only
// sysconf suggests; grown on ERANGE. `entry`'s strings point into `strings`,
// which must outlive their use.
template <typename Entry, typename Lookup>
bool LookUp(Lookup lookup, Entry& entry, std::vector<char>& strings) {
  strings.resize(1024);
  Entry* found = nullptr;
  int error;
  while ((error = lookup(&entry, strings.data(), strings.size(), &found)) == ERANGE &&
         strings.size() < (1u << 20)) {
    strings.resize(strings.size() * 2);
  }
  return error == 0 && found != nullptr;
}

absl::StatusOr<uint32_t> UidOfUser(const std::string& user, const Place& place) {
  passwd entry;
  std::vector<char> strings;
  if (!LookUp(
          [&](passwd* e, char* b, size_t n, passwd** r) {
            return getpwnam_r(user.c_str(), e, b, n, r);
          },
          entry, strings)) {
    return place.Error(absl::StrCat("names user \"", user, "\", unknown on this host"));
  }
  return entry.pw_uid;
}

absl::StatusOr<uint32_t> GidOfGroup(const std::string& group, const Place& place) {
  struct group entry;
  std::vector<char> strings;
  if (!LookUp(
          [&](struct group* e, char* b, size_t n, struct group** r) {
            return getgrnam_r(group.c_str(), e, b, n, r);
          },
          entry, strings)) {
    return place.Error(absl::StrCat("names group \"", group, "\", unknown on this host"));
  }
  return entry.gr_gid;
}

// The peer's groups: the gid SO_PEERCRED gave, its user's primary group and
// the supplementary groups the group database lists it in.
std::set<uint32_t> GroupsOf(const PeerIdentity& peer) {
  std::set<uint32_t> groups = {peer.gid};
  passwd entry;
  std::vector<char> strings;
  if (!LookUp(
          [&](passwd* e, char* b, size_t n, passwd** r) {
            return getpwuid_r(peer.uid, e, b, n, r);
          },
          entry, strings)) {
    return groups;
  }
  groups.insert(entry.pw_gid);
  std::vector<gid_t> list(64);
  int count = static_cast<int>(list.size());
  while (getgrouplist(entry.pw_name, entry.pw_gid, list.data(), &count) == -1 &&
         list.size() < 65536) {
    list.resize(std::max<size_t>(static_cast<size_t>(count), list.size() * 2));
    count = static_cast<int>(list.size());
  }
  groups.insert(list.begin(), list.begin() + std::min<size_t>(count, list.size()));
  return groups;
}

std::array<uint8_t, 32> Sha256(absl::string_view data) {
  std::array<uint8_t, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

absl::StatusOr<std::array<uint8_t, 32>> ParseDigest(const json& value, const Place& place) {
  const std::string text = value.is_string() ? value.get<std::string>() : "";
  std::array<uint8_t, 32> digest{};
  const auto hex = [](char c) {
    return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
  };
  bool ok = text.size() == 64;
  for (size_t i = 0; ok && i < text.size(); ++i) ok = absl::ascii_isxdigit(text[i]);
  if (!ok) {
    return place.Error(
        "must be a SHA-256 digest as 64 hex digits (printf %s \"$TOKEN\" | sha256sum)");
  }
  for (size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<uint8_t>(hex(text[2 * i]) * 16 + hex(text[2 * i + 1]));
  }
  return digest;
}

absl::StatusOr<std::string> ReadString(const json& value, const Place& place) {
  if (!value.is_string() || value.get<std::string>().empty()) {
    return place.Error("must be a non-empty string");
  }
  return value.get<std::string>();
}

absl::StatusOr<uint32_t> ReadId(const json& value, const Place& place) {
  if (!value.is_number_unsigned() ||
      value.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
    return place.Error("must be a numeric id in [0, 4294967295]");
  }
  return static_cast<uint32_t>(value.get<uint64_t>());
}

// Each element of the array at object[key] (absent: none) through `read`.
template <typename Read>
absl::Status ForEach(const json& object, const char* key, const Place& parent, Read read) {
  if (!object.contains(key)) return absl::OkStatus();
  const Place place = parent.At(key);
  if (!object[key].is_array()) return place.Error("must be an array");
  for (size_t i = 0; i < object[key].size(); ++i) {
    HAL_RETURN_IF_ERROR(read(object[key][i], place.At(i)));
  }
  return absl::OkStatus();
}

// "*" or an array of names of virtual devices the pool file defines.
absl::Status ReadVirtualDevices(const json& object, const char* key, const Place& parent,
                                const std::set<std::string, std::less<>>& defined, bool& all,
                                std::set<std::string, std::less<>>& names) {
  if (object.contains(key) && object[key] == "*") {
    all = true;
    return absl::OkStatus();
  }
  if (object.contains(key) && !object[key].is_array()) {
    return parent.At(key).Error("must be \"*\" or an array of virtual device names");
  }
  return ForEach(object, key, parent, [&](const json& value, const Place& place) -> absl::Status {
    HAL_ASSIGN_OR_RETURN(std::string name, ReadString(value, place));
    if (!defined.contains(name)) {
      return place.Error(
          absl::StrCat("names virtual device \"", name, "\", which the pool file does not define"));
    }
    names.insert(std::move(name));
    return absl::OkStatus();
  });
}

// Names at entry[names_key] (resolved by `resolve`) and numeric ids at
// entry[ids_key], into `ids`.
absl::Status ReadIds(const json& entry, const Place& place, const char* names_key,
                     absl::StatusOr<uint32_t> (*resolve)(const std::string&, const Place&),
                     const char* ids_key, std::set<uint32_t>& ids) {
  HAL_RETURN_IF_ERROR(ForEach(entry, names_key, place, [&](const json& value, const Place& at) {
    HAL_ASSIGN_OR_RETURN(std::string name, ReadString(value, at));
    HAL_ASSIGN_OR_RETURN(uint32_t id, resolve(name, at));
    ids.insert(id);
    return absl::OkStatus();
  }));
  return ForEach(entry, ids_key, place, [&](const json& value, const Place& at) {
    HAL_ASSIGN_OR_RETURN(uint32_t id, ReadId(value, at));
    ids.insert(id);
    return absl::OkStatus();
  });
}

absl::StatusOr<AccessPolicy::Rule> ReadRule(const json& entry, const Place& place,
                                            const std::set<std::string, std::less<>>& defined) {
  if (!entry.is_object()) return place.Error("must be an object");
  HAL_RETURN_IF_ERROR(internal::CheckKnownKeys(
      entry,
      {"virtual_devices", "users", "uids", "groups", "gids", "tokens_sha256", "status", "admin"},
      absl::StrCat("pool file ", place.path, ": ", place.where)));
  AccessPolicy::Rule rule;
  HAL_RETURN_IF_ERROR(ReadVirtualDevices(entry, "virtual_devices", place, defined,
                                         rule.all_virtual_devices, rule.virtual_devices));
  HAL_RETURN_IF_ERROR(ReadIds(entry, place, "users", UidOfUser, "uids", rule.uids));
  HAL_RETURN_IF_ERROR(ReadIds(entry, place, "groups", GidOfGroup, "gids", rule.gids));
  HAL_RETURN_IF_ERROR(
      ForEach(entry, "tokens_sha256", place, [&](const json& value, const Place& at) {
        HAL_ASSIGN_OR_RETURN(auto digest, ParseDigest(value, at));
        rule.token_digests.push_back(digest);
        return absl::OkStatus();
      }));
  if (entry.contains("status")) {
    if (!entry["status"].is_boolean()) return place.At("status").Error("must be true or false");
    rule.status = entry["status"].get<bool>();
  }
  if (entry.contains("admin")) {
    if (!entry["admin"].is_boolean()) return place.At("admin").Error("must be true or false");
    rule.admin = entry["admin"].get<bool>();
  }
  if (rule.uids.empty() && rule.gids.empty() && rule.token_digests.empty()) {
    return place.Error("names no one: give users, uids, groups, gids or tokens_sha256");
  }
  if (!rule.all_virtual_devices && rule.virtual_devices.empty() && !rule.status && !rule.admin) {
    return place.Error(
        "grants nothing: give virtual_devices, \"status\": true or \"admin\": true");
  }
  return rule;
}

// The names the file's "virtual_devices" define (Pool::FromFile checks the
// entries themselves).
std::set<std::string, std::less<>> DefinedVirtualDevices(const json& file) {
  std::set<std::string, std::less<>> names;
  if (!file.contains("virtual_devices") || !file["virtual_devices"].is_array()) return names;
  for (const json& entry : file["virtual_devices"]) {
    if (entry.is_object() && entry.contains("name") && entry["name"].is_string()) {
      names.insert(entry["name"].get<std::string>());
    }
  }
  return names;
}

}  // namespace

absl::StatusOr<AccessPolicy> AccessPolicy::FromPoolFile(const std::string& path) {
  HAL_ASSIGN_OR_RETURN(const json file, internal::ReadStrictJsonFile(path, "pool file"));
  AccessPolicy policy;
  policy.daemon_uid_ = geteuid();
  if (!file.is_object() || !file.contains("hald")) return policy;
  const Place place{path, "hald"};
  const json& hald = file["hald"];
  if (!hald.is_object()) return place.Error("must be an object");
  HAL_RETURN_IF_ERROR(internal::CheckKnownKeys(hald, {"access", "native_kernels"},
                                               absl::StrCat("pool file ", path, ": hald")));
  const std::set<std::string, std::less<>> defined = DefinedVirtualDevices(file);
  HAL_RETURN_IF_ERROR(ForEach(hald, "access", place, [&](const json& entry, const Place& at) {
    HAL_ASSIGN_OR_RETURN(Rule rule, ReadRule(entry, at, defined));
    policy.rules_.push_back(std::move(rule));
    return absl::OkStatus();
  }));
  HAL_RETURN_IF_ERROR(ReadVirtualDevices(hald, "native_kernels", place, defined,
                                         policy.all_native_kernels_, policy.native_kernels_));
  return policy;
}

bool InDaemonPidNamespace(int32_t pid) {
  if (pid <= 0) return false;
  struct stat peer_namespace, own_namespace;
  const std::string peer_path = absl::StrCat("/proc/", pid, "/ns/pid");
  return stat(peer_path.c_str(), &peer_namespace) == 0 &&
         stat("/proc/self/ns/pid", &own_namespace) == 0 &&
         peer_namespace.st_ino == own_namespace.st_ino &&
         peer_namespace.st_dev == own_namespace.st_dev;
}

bool AccessPolicy::IsOperator(const PeerIdentity& peer) const {
  return peer.unix_socket && peer.in_daemon_pid_namespace && !peer.scope.has_value() &&
         (peer.uid == 0 || peer.uid == daemon_uid_);
}

std::optional<std::string> AccessPolicy::ScopeOf(const PeerIdentity& peer) const {
  if (peer.token.empty()) return std::nullopt;
  const std::array<uint8_t, 32> token_digest = Sha256(peer.token);
  std::optional<std::string> scope;
  // Every digest is compared, so the time taken does not say which matched.
  for (const Rule& grant : grants_) {
    for (const auto& digest : grant.token_digests) {
      if (CRYPTO_memcmp(digest.data(), token_digest.data(), digest.size()) == 0 &&
          grant.virtual_devices.size() == 1) {
        scope = *grant.virtual_devices.begin();
      }
    }
  }
  return scope;
}

template <typename Grants>
bool AccessPolicy::AnyRuleGrants(const PeerIdentity& peer, Grants grants) const {
  const bool has_token = !peer.token.empty();
  const std::array<uint8_t, 32> token_digest = Sha256(peer.token);
  std::optional<std::set<uint32_t>> groups;  // looked up once, when a rule names groups
  const auto names_peer = [&](const Rule& rule) {
    bool named = false;
    // Every digest is compared, so the time taken does not say which matched.
    for (const auto& digest : rule.token_digests) {
      named |= has_token && CRYPTO_memcmp(digest.data(), token_digest.data(), digest.size()) == 0;
    }
    if (peer.unix_socket && !named) {
      named = rule.uids.contains(peer.uid);
      if (!named && !rule.gids.empty()) {
        if (!groups) groups = GroupsOf(peer);
        named = std::any_of(groups->begin(), groups->end(),
                            [&](uint32_t gid) { return rule.gids.contains(gid); });
      }
    }
    return named;
  };
  for (const std::vector<Rule>* rules : {&rules_, &grants_}) {
    for (const Rule& rule : *rules) {
      if (grants(rule) && names_peer(rule)) return true;
    }
  }
  return false;
}

bool AccessPolicy::MayAttach(const PeerIdentity& peer, absl::string_view virtual_device) const {
  // Still its virtual device's token: not once that one is destroyed, even
  // if another of its name is created since.
  if (peer.scope) return *peer.scope == virtual_device && ScopeOf(peer) == peer.scope;
  if (IsOperator(peer)) return true;
  return AnyRuleGrants(peer, [&](const Rule& rule) {
    return rule.all_virtual_devices || rule.virtual_devices.contains(virtual_device);
  });
}

bool AccessPolicy::MayReadStatus(const PeerIdentity& peer) const {
  if (peer.scope) return false;
  if (IsOperator(peer)) return true;
  return AnyRuleGrants(peer, [](const Rule& rule) { return rule.status; });
}

bool AccessPolicy::MayAdminister(const PeerIdentity& peer) const {
  if (peer.scope) return false;
  if (IsOperator(peer)) return true;
  return AnyRuleGrants(peer, [](const Rule& rule) { return rule.admin; });
}

AccessPolicy AccessPolicy::WithGrants(std::vector<Rule> grants) const {
  AccessPolicy policy = *this;
  policy.grants_ = std::move(grants);
  return policy;
}

std::array<uint8_t, 32> AccessPolicy::TokenDigest(absl::string_view token) {
  return Sha256(token);
}

bool AccessPolicy::AllowsNativeKernels(absl::string_view virtual_device) const {
  return all_native_kernels_ || native_kernels_.contains(virtual_device);
}

}  // namespace hal::daemon
