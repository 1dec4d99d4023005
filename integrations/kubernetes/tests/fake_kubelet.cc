#include "integrations/kubernetes/tests/fake_kubelet.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace hal::kubernetes::testing {

class FakeKubelet::Registration final : public v1beta1::Registration::Service {
 public:
  grpc::Status Register(grpc::ServerContext*, const v1beta1::RegisterRequest* request,
                        v1beta1::Empty*) override {
    std::lock_guard<std::mutex> lock(mutex_);
    registrations_.push_back(*request);
    arrived_.notify_all();
    return grpc::Status::OK;
  }

  absl::StatusOr<std::vector<v1beta1::RegisterRequest>> Wait(size_t count,
                                                             absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!arrived_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [&] { return registrations_.size() >= count; })) {
      return absl::DeadlineExceededError(absl::StrCat(registrations_.size(), " of ", count,
                                                      " registrations came in ",
                                                      absl::FormatDuration(timeout)));
    }
    return registrations_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<v1beta1::RegisterRequest> registrations_;
};

class FakeKubelet::PodResources final : public v1::PodResourcesLister::Service {
 public:
  grpc::Status List(grpc::ServerContext*, const v1::ListPodResourcesRequest*,
                    v1::ListPodResourcesResponse* response) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const v1::PodResources& pod : pods_) *response->add_pod_resources() = pod;
    return grpc::Status::OK;
  }
  void Set(std::vector<v1::PodResources> pods) {
    std::lock_guard<std::mutex> lock(mutex_);
    pods_ = std::move(pods);
  }

 private:
  std::mutex mutex_;
  std::vector<v1::PodResources> pods_;
};

FakeKubelet::FakeKubelet(std::string folder, std::string pod_resources_socket)
    : folder_(std::move(folder)),
      pod_resources_socket_(std::move(pod_resources_socket)),
      registration_(std::make_unique<Registration>()),
      pod_resources_(std::make_unique<PodResources>()) {}

FakeKubelet::~FakeKubelet() { Shutdown(); }

absl::StatusOr<std::unique_ptr<FakeKubelet>> FakeKubelet::Start(
    const std::string& folder, const std::string& pod_resources_socket) {
  std::unique_ptr<FakeKubelet> kubelet(new FakeKubelet(folder, pod_resources_socket));
  if (absl::Status served = kubelet->Serve(); !served.ok()) return served;
  return kubelet;
}

absl::Status FakeKubelet::Serve() {
  grpc::ServerBuilder kubelet;
  kubelet.AddListeningPort(absl::StrCat("unix:", folder_, "/kubelet.sock"),
                           grpc::InsecureServerCredentials());
  kubelet.RegisterService(registration_.get());
  kubelet_server_ = kubelet.BuildAndStart();
  grpc::ServerBuilder pods;
  pods.AddListeningPort(absl::StrCat("unix:", pod_resources_socket_),
                        grpc::InsecureServerCredentials());
  pods.RegisterService(pod_resources_.get());
  pod_resources_server_ = pods.BuildAndStart();
  if (kubelet_server_ == nullptr || pod_resources_server_ == nullptr) {
    return absl::InternalError(absl::StrCat("the fake kubelet could not serve in ", folder_));
  }
  return absl::OkStatus();
}

void FakeKubelet::Shutdown() {
  const auto now = std::chrono::system_clock::now();
  if (kubelet_server_ != nullptr) kubelet_server_->Shutdown(now);
  if (pod_resources_server_ != nullptr) pod_resources_server_->Shutdown(now);
  kubelet_server_.reset();
  pod_resources_server_.reset();
}

absl::StatusOr<std::vector<v1beta1::RegisterRequest>> FakeKubelet::WaitForRegistrations(
    size_t count, absl::Duration timeout) {
  return registration_->Wait(count, timeout);
}

void FakeKubelet::SetPods(std::vector<v1::PodResources> pods) { pod_resources_->Set(std::move(pods)); }

v1::PodResources FakeKubelet::Pod(const std::string& name, const std::string& resource,
                                  const std::vector<std::string>& device_ids) {
  v1::PodResources pod;
  pod.set_name(name);
  pod.set_namespace_("default");
  v1::ContainerResources* container = pod.add_containers();
  container->set_name("main");
  v1::ContainerDevices* devices = container->add_devices();
  devices->set_resource_name(resource);
  for (const std::string& id : device_ids) devices->add_device_ids(id);
  return pod;
}

absl::Status FakeKubelet::Restart() {
  Shutdown();
  for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
    if (entry.is_socket()) std::filesystem::remove(entry.path());
  }
  return Serve();
}

std::unique_ptr<v1beta1::DevicePlugin::Stub> FakeKubelet::PluginStub(
    const std::string& endpoint) const {
  return v1beta1::DevicePlugin::NewStub(grpc::CreateChannel(
      absl::StrCat("unix:", folder_, "/", endpoint), grpc::InsecureChannelCredentials()));
}

}  // namespace hal::kubernetes::testing
