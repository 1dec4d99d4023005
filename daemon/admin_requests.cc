// The admin requests (backends/remote/protocol/admin_requests.h): an operator
// creates and destroys virtual devices in the running daemon's pool, and a
// leased one ends with the connection that created it.
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/session.h"
#include "hal/status_macros.h"

namespace hal::daemon {
namespace {

using remote::v1::DaemonMessage;

// How often a destroy looks again whether the sessions it ended are gone.
constexpr std::chrono::milliseconds kDestroyPoll{2};
constexpr std::chrono::seconds kDestroyLogEvery{2};

// 32 random bytes from the kernel, as 64 hex digits.
absl::StatusOr<std::string> RandomToken() {
  std::array<char, 32> bytes;
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::InternalError(absl::StrCat("getrandom: ", std::strerror(errno)));
    filled += static_cast<size_t>(n);
  }
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

std::optional<std::string> Optional(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

absl::Status MayAdminister(const DaemonContext& daemon, const PeerIdentity& peer) {
  if (daemon.policy()->MayAdminister(peer)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(peer.name,
                   " may not create or destroy virtual devices (an operator's, or a pool file "
                   "rule's \"admin\": true)"));
}

// Ends the sessions attached to the retiring virtual device `name`, waits
// until they have freed everything, then removes it from the pool and
// forgets it. Waits without the admin mutex (a session waited for may end a
// lease of its own, which takes it); removes with it, so that a create of
// the same name comes before or after, never between.
absl::Status EndSessionsAndDestroy(DaemonContext& daemon, const std::string& name) {
  // What the destroy waits for is logged now and then: a session stuck in
  // its teardown (a kernel that does not end) holds it up.
  auto next_log = std::chrono::steady_clock::now() + kDestroyLogEvery;
  while (true) {
    daemon.sessions().CloseAttachedTo(name);
    const size_t attached = daemon.sessions().AttachedTo(name);
    absl::Status status = absl::FailedPreconditionError(
        absl::StrCat(attached, " sessions attached to it are still ending"));
    if (attached == 0) {
      std::lock_guard<std::mutex> lock(daemon.admin_mutex());
      // Still FailedPrecondition while a status or metrics reader holds it
      // for a moment.
      status = daemon.pool().DestroyVirtualDevice(name);
      if (status.ok()) {
        daemon.RemoveDynamic(name);
        break;
      }
      if (status.code() != absl::StatusCode::kFailedPrecondition) return status;
    }
    if (std::chrono::steady_clock::now() >= next_log) {
      std::cerr << "hald: destroying virtual device " << name << ": " << status.message() << "\n";
      next_log += kDestroyLogEvery;
    }
    std::this_thread::sleep_for(kDestroyPoll);
  }
  std::cerr << "hald: virtual device " << name << " destroyed\n";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DaemonMessage> Session::CreateVirtualDevice(
    const remote::v1::VirtualDeviceCreate& request) {
  HAL_RETURN_IF_ERROR(MayAdminister(daemon_, identity_));
  VirtualDeviceSpec spec;
  spec.name = request.name();
  spec.memory_quota = request.memory_quota();
  spec.compute_share = request.compute_share();
  spec.require_vendor = Optional(request.require_vendor());
  spec.require_format = Optional(request.require_format());
  spec.prefer_vendor = Optional(request.prefer_vendor());
  spec.require_device = Optional(request.require_device());
  spec.priority = request.priority();
  HAL_ASSIGN_OR_RETURN(std::string token, RandomToken());

  std::lock_guard<std::mutex> lock(daemon_.admin_mutex());
  for (const std::shared_ptr<VirtualDevice>& device : daemon_.pool().virtual_devices()) {
    if (device->name() == spec.name) {
      return absl::AlreadyExistsError(
          absl::StrCat("hald already has a virtual device named \"", spec.name, "\"",
                       daemon_.Dynamic(spec.name) ? "" : " (from its pool file)"));
    }
  }
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<VirtualDevice> created,
                       daemon_.pool().CreateVirtualDevice(spec));
  DynamicVirtualDevice dynamic;
  dynamic.owner = request.owner();
  dynamic.lease_session = request.lease() ? id() : 0;
  dynamic.grant.token_digests.push_back(AccessPolicy::TokenDigest(token));
  dynamic.grant.uids.insert(request.attach_uids().begin(), request.attach_uids().end());
  dynamic.grant.virtual_devices.insert(spec.name);
  daemon_.AddDynamic(spec.name, std::move(dynamic));
  std::string log = absl::StrCat("hald: virtual device ", spec.name, " created on ",
                                 created->placement().id(), " by ", identity_.name);
  if (!request.owner().empty()) absl::StrAppend(&log, " for ", request.owner());
  if (request.lease()) absl::StrAppend(&log, ", leased to session ", id());
  std::cerr << log << "\n";
  DaemonMessage answer;
  remote::v1::VirtualDeviceCreated& body = *answer.mutable_virtual_device_created();
  body.set_name(spec.name);
  body.set_physical_device(created->placement().id());
  body.set_token(std::move(token));
  return answer;
}

absl::StatusOr<DaemonMessage> Session::DestroyVirtualDevice(
    const remote::v1::VirtualDeviceDestroy& request) {
  HAL_RETURN_IF_ERROR(MayAdminister(daemon_, identity_));
  const std::string& name = request.name();
  if (virtual_device_ != nullptr && virtual_device_->name() == name) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this session is attached to virtual device ", name, ": destroy it from another"));
  }
  {
    std::lock_guard<std::mutex> lock(daemon_.admin_mutex());
    const std::optional<DynamicVirtualDevice> dynamic = daemon_.Dynamic(name);
    if (!dynamic) {
      if (daemon_.FindVirtualDevice(name) == nullptr) {
        return absl::NotFoundError(absl::StrCat("hald has no virtual device \"", name, "\""));
      }
      return absl::FailedPreconditionError(
          absl::StrCat("virtual device ", name,
                       " is defined by hald's pool file: edit the file and restart hald"));
    }
    if (dynamic->retiring) {
      return absl::FailedPreconditionError(
          absl::StrCat("virtual device ", name, " is already being destroyed"));
    }
    daemon_.Retire(name);
  }
  HAL_RETURN_IF_ERROR(EndSessionsAndDestroy(daemon_, name));
  return DaemonMessage();
}

void Session::EndLeases() {
  std::vector<std::string> leased;
  {
    std::lock_guard<std::mutex> lock(daemon_.admin_mutex());
    for (const std::string& name : daemon_.LeasedBy(id())) {
      // Under way or done: an operator's destroy of it.
      const std::optional<DynamicVirtualDevice> dynamic = daemon_.Dynamic(name);
      if (!dynamic || dynamic->retiring) continue;
      daemon_.Retire(name);
      leased.push_back(name);
    }
  }
  for (const std::string& name : leased) {
    if (absl::Status status = EndSessionsAndDestroy(daemon_, name); !status.ok()) {
      std::cerr << "hald: virtual device " << name << " leased to session " << id()
                << " not destroyed: " << status.message() << "\n";
    }
  }
}

}  // namespace hal::daemon
