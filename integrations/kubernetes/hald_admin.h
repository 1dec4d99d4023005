// The plugin's connection to hald's admin API: pool status, create and
// destroy virtual devices (backends/remote/protocol/admin_requests.h). One
// connection, opened on first use and again after a transport failure (hald
// restarted), shared by the plugin's gRPC threads under a mutex. Virtual
// devices are created with lease = false, so they outlive this connection
// and a restart of the plugin: containers keep their devices.
#ifndef HAL_INTEGRATIONS_KUBERNETES_HALD_ADMIN_H_
#define HAL_INTEGRATIONS_KUBERNETES_HALD_ADMIN_H_

#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/admin_requests.h"
#include "backends/remote/protocol/daemon_client.h"
#include "backends/remote/protocol/endpoint.h"
#include "status.pb.h"

namespace hal::kubernetes {

class HaldAdmin {
 public:
  struct Options {
    remote::Endpoint endpoint;
    std::string token;  // "" on the Unix socket as root or hald's user
    absl::Duration timeout = absl::Seconds(10);
  };
  explicit HaldAdmin(Options options) : options_(std::move(options)) {}

  // What hald reports of its pool (devices, virtual devices with owners).
  // Retried once on a fresh connection when the kept one broke.
  absl::StatusOr<remote::v1::PoolStatus> PoolStatus();
  // CreateVirtualDevice / DestroyVirtualDevice with hald's status codes.
  // Not retried: hald may have done what the lost answer would have said.
  absl::StatusOr<remote::CreatedVirtualDevice> Create(const remote::VirtualDeviceRequest& request);
  absl::Status Destroy(absl::string_view name);

  const remote::Endpoint& endpoint() const { return options_.endpoint; }

 private:
  // The kept connection, opened if there is none.
  absl::StatusOr<remote::DaemonClient*> Connection();
  // Drops the connection after an error that may have broken it.
  void Forget(const absl::Status& status);

  const Options options_;
  std::mutex mutex_;
  std::optional<remote::DaemonClient> client_;
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_HALD_ADMIN_H_
