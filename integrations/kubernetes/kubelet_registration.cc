#include "integrations/kubernetes/kubelet_registration.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "integrations/kubernetes/plugin_log.h"

namespace hal::kubernetes {
namespace {

// How long a stopping server lets its calls (ListAndWatch streams) finish.
constexpr absl::Duration kShutdownGrace = absl::Milliseconds(500);

}  // namespace

KubeletRegistration::KubeletRegistration(Options options, std::vector<SliceDevicePlugin*> plugins)
    : options_(std::move(options)), plugins_(std::move(plugins)) {}

KubeletRegistration::~KubeletRegistration() { Stop(); }

std::string KubeletRegistration::SocketOf(const SliceDevicePlugin& plugin) const {
  return absl::StrCat(options_.folder, "/hal-", plugin.slices().short_name(), ".sock");
}

std::string KubeletRegistration::FileIdentity(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "";
  return absl::StrCat(info.st_dev, ":", info.st_ino, ":", info.st_ctim.tv_sec, ".",
                      info.st_ctim.tv_nsec);
}

void KubeletRegistration::Stop() {
  const auto deadline = absl::ToChronoTime(absl::Now() + kShutdownGrace);
  for (std::unique_ptr<grpc::Server>& server : servers_) server->Shutdown(deadline);
  servers_.clear();
  for (const SliceDevicePlugin* plugin : plugins_) {
    std::error_code ignored;
    std::filesystem::remove(SocketOf(*plugin), ignored);
  }
  registered_with_.clear();
}

absl::Status KubeletRegistration::Register(const SliceDevicePlugin& plugin) {
  auto stub = v1beta1::Registration::NewStub(grpc::CreateChannel(
      absl::StrCat("unix:", KubeletSocket()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  v1beta1::RegisterRequest request;
  request.set_version(kDevicePluginApiVersion);
  request.set_endpoint(std::filesystem::path(SocketOf(plugin)).filename().string());
  request.set_resource_name(plugin.slices().resource_name());
  request.mutable_options()->set_get_preferred_allocation_available(true);
  v1beta1::Empty answer;
  const grpc::Status status = stub->Register(&context, request, &answer);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("registering ", plugin.slices().resource_name(),
                                     " with the kubelet at ", KubeletSocket(), ": ",
                                     status.error_message()));
  }
  Log(absl::StrCat("registered ", plugin.slices().resource_name(), " (",
                   plugin.slices().count(), " slices) at ", SocketOf(plugin)));
  return absl::OkStatus();
}

absl::Status KubeletRegistration::Start() {
  Stop();
  // The identity first: a kubelet restarting while we register is noticed
  // at the next Renew.
  const std::string kubelet = FileIdentity(KubeletSocket());
  for (SliceDevicePlugin* plugin : plugins_) {
    const std::string socket = SocketOf(*plugin);
    std::error_code ignored;
    std::filesystem::remove(socket, ignored);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("unix:", socket), grpc::InsecureServerCredentials());
    builder.RegisterService(plugin);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (server == nullptr) {
      return absl::InternalError(absl::StrCat("serving ", plugin->slices().resource_name(),
                                              " on ", socket, " failed"));
    }
    servers_.push_back(std::move(server));
  }
  for (const SliceDevicePlugin* plugin : plugins_) {
    if (absl::Status registered = Register(*plugin); !registered.ok()) return registered;
  }
  registered_with_ = kubelet;
  return absl::OkStatus();
}

absl::StatusOr<bool> KubeletRegistration::RenewIfKubeletRestarted() {
  const bool sockets_there = std::all_of(plugins_.begin(), plugins_.end(), [&](auto* plugin) {
    return std::filesystem::exists(SocketOf(*plugin));
  });
  const std::string kubelet = FileIdentity(KubeletSocket());
  if (sockets_there && !registered_with_.empty() && kubelet == registered_with_) return false;
  if (kubelet.empty()) return false;  // no kubelet yet: wait for its socket
  if (absl::Status started = Start(); !started.ok()) return started;
  return true;
}

}  // namespace hal::kubernetes
