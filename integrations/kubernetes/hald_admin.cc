#include "integrations/kubernetes/hald_admin.h"

#include <utility>

#include "hal_remote.pb.h"

namespace hal::kubernetes {
namespace {

// Codes a broken or out-of-step connection gives (hald's own refusals are
// other codes, and leave the connection usable).
bool MayHaveBrokenConnection(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsInternal(status);
}

}  // namespace

absl::StatusOr<remote::DaemonClient*> HaldAdmin::Connection() {
  if (!client_.has_value()) {
    auto connected = remote::DaemonClient::Connect(options_.endpoint, options_.token,
                                                   "hal-device-plugin", options_.timeout);
    if (!connected.ok()) return connected.status();
    client_.emplace(*std::move(connected));
  }
  return &*client_;
}

void HaldAdmin::Forget(const absl::Status& status) {
  if (MayHaveBrokenConnection(status)) client_.reset();
}

absl::StatusOr<remote::v1::PoolStatus> HaldAdmin::PoolStatus() {
  std::lock_guard<std::mutex> lock(mutex_);
  absl::Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto client = Connection();
    if (!client.ok()) return client.status();
    remote::ClientMessage request;
    request.mutable_pool_status();
    auto answer = (*client)->Call(std::move(request));
    if (answer.ok()) {
      if (!answer->has_pool_status()) {
        return absl::UnavailableError("hald answered a status request without its status");
      }
      return std::move(*answer->mutable_pool_status());
    }
    last = answer.status();
    Forget(last);
    if (!MayHaveBrokenConnection(last)) break;
  }
  return last;
}

absl::StatusOr<remote::CreatedVirtualDevice> HaldAdmin::Create(
    const remote::VirtualDeviceRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto client = Connection();
  if (!client.ok()) return client.status();
  auto created = remote::CreateVirtualDevice(**client, request);
  if (!created.ok()) Forget(created.status());
  return created;
}

absl::Status HaldAdmin::Destroy(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto client = Connection();
  if (!client.ok()) return client.status();
  absl::Status destroyed = remote::DestroyVirtualDevice(**client, name);
  Forget(destroyed);
  return destroyed;
}

}  // namespace hal::kubernetes
