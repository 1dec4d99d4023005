// The kubelet's side of the device-plugin and pod-resources protocols, for
// tests (no kubelet runs here): a Registration server on
// <folder>/kubelet.sock that records what plugins register, a
// PodResourcesLister server on its own socket that reports the pods a test
// sets, a restart like the kubelet's (every socket in the folder removed,
// kubelet.sock made anew), and DevicePlugin stubs to call a registered
// plugin as the kubelet would.
#ifndef HAL_INTEGRATIONS_KUBERNETES_TESTS_FAKE_KUBELET_H_
#define HAL_INTEGRATIONS_KUBERNETES_TESTS_FAKE_KUBELET_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "deviceplugin_v1beta1.grpc.pb.h"
#include "grpcpp/server.h"
#include "podresources_v1.grpc.pb.h"

namespace hal::kubernetes::testing {

class FakeKubelet {
 public:
  // Serves at `folder`/kubelet.sock and at `pod_resources_socket`.
  static absl::StatusOr<std::unique_ptr<FakeKubelet>> Start(const std::string& folder,
                                                            const std::string& pod_resources_socket);
  ~FakeKubelet();

  // Every registration so far, once there are at least `count` (waiting up
  // to `timeout`); DeadlineExceeded saying how many came otherwise.
  absl::StatusOr<std::vector<v1beta1::RegisterRequest>> WaitForRegistrations(
      size_t count, absl::Duration timeout = absl::Seconds(10));
  // The pods List reports from now on.
  void SetPods(std::vector<v1::PodResources> pods);
  // A pod of one container holding `device_ids` of `resource`.
  static v1::PodResources Pod(const std::string& name, const std::string& resource,
                              const std::vector<std::string>& device_ids);
  // As a restarting kubelet: stops serving, removes every socket in the
  // folder (the plugins' too), serves a new kubelet.sock.
  absl::Status Restart();
  // A stub of the DevicePlugin service a plugin registered at `endpoint`
  // (RegisterRequest.endpoint, relative to the folder).
  std::unique_ptr<v1beta1::DevicePlugin::Stub> PluginStub(const std::string& endpoint) const;

 private:
  class Registration;
  class PodResources;
  FakeKubelet(std::string folder, std::string pod_resources_socket);
  absl::Status Serve();
  void Shutdown();

  const std::string folder_;
  const std::string pod_resources_socket_;
  std::unique_ptr<Registration> registration_;
  std::unique_ptr<PodResources> pod_resources_;
  std::unique_ptr<grpc::Server> kubelet_server_;
  std::unique_ptr<grpc::Server> pod_resources_server_;
};

}  // namespace hal::kubernetes::testing

#endif  // HAL_INTEGRATIONS_KUBERNETES_TESTS_FAKE_KUBELET_H_
