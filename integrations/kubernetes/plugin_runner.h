// hal-device-plugin's whole life but for flags and signals: asks hald for
// its devices, makes a SliceDevicePlugin for each that has room for a slice,
// takes over the virtual devices an earlier run made, writes the CDI spec,
// serves and registers with the kubelet; then each Tick marks the slices'
// health by whether hald answers, registers again after a kubelet restart,
// and destroys the virtual devices no pod holds (pod-resources API).
#ifndef HAL_INTEGRATIONS_KUBERNETES_PLUGIN_RUNNER_H_
#define HAL_INTEGRATIONS_KUBERNETES_PLUGIN_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "integrations/kubernetes/container_access.h"
#include "integrations/kubernetes/slice_layout.h"

namespace hal::kubernetes {

// Declared only: the program's main includes this header without gRPC's.
class HaldAdmin;
class KubeletRegistration;
class PodResourcesClient;
class SliceDevicePlugin;

struct PluginOptions {
  // How the plugin reaches hald ("" : unix:<access.host_socket>), and the
  // token it presents ("" : it runs as root or hald's user on the socket).
  std::string hald_endpoint;
  std::string hald_token;
  ContainerAccess access;
  SliceOptions slices;
  std::string kubelet_folder = "/var/lib/kubelet/device-plugins";
  std::string pod_resources_socket = "/var/lib/kubelet/pod-resources/kubelet.sock";
  std::string cdi_folder = "/var/run/cdi";  // "": no CDI spec, no CDI devices
  // A virtual device younger than this is not reclaimed: the kubelet lists
  // a container's devices only after Allocate has answered.
  absl::Duration reclaim_grace = absl::Seconds(30);
  absl::Duration timeout = absl::Seconds(10);  // of each call to hald or the kubelet
};

class PluginRunner {
 public:
  // InvalidArgument for bad options; hald's error when it cannot be asked
  // for its pool; FailedPrecondition when no device has room for a slice;
  // Internal when the CDI spec cannot be written or a socket not served.
  // Failing to register (no kubelet yet) is logged and retried by Tick.
  static absl::StatusOr<std::unique_ptr<PluginRunner>> Start(const PluginOptions& options);
  ~PluginRunner();

  // One round of health, re-registration and reclaiming (see above).
  void Tick();

  const std::vector<std::unique_ptr<SliceDevicePlugin>>& plugins() const { return plugins_; }
  KubeletRegistration& registration() { return *registration_; }

 private:
  explicit PluginRunner(const PluginOptions& options);

  const PluginOptions options_;
  std::unique_ptr<HaldAdmin> hald_;
  std::vector<std::unique_ptr<SliceDevicePlugin>> plugins_;
  std::unique_ptr<KubeletRegistration> registration_;
  std::unique_ptr<PodResourcesClient> pods_;
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_PLUGIN_RUNNER_H_
