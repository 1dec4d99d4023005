#include "integrations/kubernetes/pod_resources_client.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace hal::kubernetes {

PodResourcesClient::PodResourcesClient(const std::string& socket, absl::Duration timeout)
    : socket_(socket),
      timeout_(timeout),
      stub_(v1::PodResourcesLister::NewStub(
          grpc::CreateChannel(absl::StrCat("unix:", socket), grpc::InsecureChannelCredentials()))) {}

absl::StatusOr<std::map<std::string, std::set<std::string>>> PodResourcesClient::DevicesInUse() {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::ListPodResourcesRequest request;
  v1::ListPodResourcesResponse response;
  const grpc::Status status = stub_->List(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("pod-resources List on ", socket_, ": ",
                                     status.error_message()));
  }
  std::map<std::string, std::set<std::string>> in_use;
  for (const v1::PodResources& pod : response.pod_resources()) {
    for (const v1::ContainerResources& container : pod.containers()) {
      for (const v1::ContainerDevices& devices : container.devices()) {
        in_use[devices.resource_name()].insert(devices.device_ids().begin(),
                                               devices.device_ids().end());
      }
    }
  }
  return in_use;
}

}  // namespace hal::kubernetes
