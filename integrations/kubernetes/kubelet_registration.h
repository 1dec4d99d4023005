// Serves each SliceDevicePlugin on its own socket in the kubelet's
// device-plugin folder ("hal-vulkan-0.sock") and registers it with the
// kubelet (Registration.Register on kubelet.sock). A restarted kubelet
// removes the plugins' sockets and makes a new kubelet.sock, and forgets
// every registration: RenewIfKubeletRestarted notices the new socket (or a
// plugin socket gone) and serves and registers anew.
#ifndef HAL_INTEGRATIONS_KUBERNETES_KUBELET_REGISTRATION_H_
#define HAL_INTEGRATIONS_KUBERNETES_KUBELET_REGISTRATION_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "integrations/kubernetes/slice_device_plugin.h"

namespace hal::kubernetes {

inline constexpr char kDevicePluginApiVersion[] = "v1beta1";

class KubeletRegistration {
 public:
  struct Options {
    std::string folder = "/var/lib/kubelet/device-plugins";  // kubelet.sock and ours
    absl::Duration timeout = absl::Seconds(10);              // of each Register call
  };
  // `plugins` outlive this object.
  KubeletRegistration(Options options, std::vector<SliceDevicePlugin*> plugins);
  ~KubeletRegistration();
  KubeletRegistration(const KubeletRegistration&) = delete;
  KubeletRegistration& operator=(const KubeletRegistration&) = delete;

  // Serves every plugin and registers it. Internal when a socket cannot be
  // served; the Register call's gRPC status (Unavailable without a kubelet)
  // otherwise. Servers started stay up: a later Renew registers them.
  absl::Status Start();
  // Serves and registers anew when kubelet.sock is another file than at the
  // last registration, or a plugin's socket is gone. True when it did; the
  // error of Start otherwise (tried again on the next call).
  absl::StatusOr<bool> RenewIfKubeletRestarted();
  // Shuts the servers down and removes the plugins' sockets.
  void Stop();

  // "<folder>/hal-vulkan-0.sock"
  std::string SocketOf(const SliceDevicePlugin& plugin) const;
  std::string KubeletSocket() const { return options_.folder + "/kubelet.sock"; }

 private:
  // Which file a path is now (device, inode, change time); "" when absent.
  static std::string FileIdentity(const std::string& path);
  absl::Status Register(const SliceDevicePlugin& plugin);

  const Options options_;
  const std::vector<SliceDevicePlugin*> plugins_;
  std::vector<std::unique_ptr<grpc::Server>> servers_;
  std::string registered_with_;  // FileIdentity of kubelet.sock when registered; "" before
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_KUBELET_REGISTRATION_H_
