// Asks the kubelet's pod-resources API (v1 List, on
// /var/lib/kubelet/pod-resources/kubelet.sock) which device ids of which
// resources its pods' containers hold: the only word the kubelet gives on a
// container's end, so the plugin's reconciliation reads it.
#ifndef HAL_INTEGRATIONS_KUBERNETES_POD_RESOURCES_CLIENT_H_
#define HAL_INTEGRATIONS_KUBERNETES_POD_RESOURCES_CLIENT_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "podresources_v1.grpc.pb.h"

namespace hal::kubernetes {

class PodResourcesClient {
 public:
  // `socket` is a path; nothing is connected until the first call.
  PodResourcesClient(const std::string& socket, absl::Duration timeout);

  // Resource name -> the device ids some container of some pod holds.
  // The call's gRPC status (Unavailable while the kubelet is down) otherwise.
  absl::StatusOr<std::map<std::string, std::set<std::string>>> DevicesInUse();

 private:
  const std::string socket_;
  const absl::Duration timeout_;
  std::unique_ptr<v1::PodResourcesLister::Stub> stub_;
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_POD_RESOURCES_CLIENT_H_
