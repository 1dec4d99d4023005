#include "integrations/kubernetes/container_access.h"

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace hal::kubernetes {
namespace {

absl::Status CheckSocketPath(const std::string& path, const char* flag) {
  const std::filesystem::path socket(path);
  if (!socket.is_absolute() || !socket.has_filename() ||
      socket.parent_path() == socket.root_path()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " \"", path, "\" must be an absolute path of a socket in a folder other than /"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateContainerAccess(const ContainerAccess& access) {
  if (absl::Status host = CheckSocketPath(access.host_socket, "--hald-socket"); !host.ok()) {
    return host;
  }
  return CheckSocketPath(access.container_socket, "--container-socket");
}

SocketMount SocketMountOf(const ContainerAccess& access) {
  return SocketMount{std::filesystem::path(access.host_socket).parent_path().string(),
                     std::filesystem::path(access.container_socket).parent_path().string()};
}

std::map<std::string, std::string> CommonEnvironment(const ContainerAccess& access) {
  return {{"HAL_REMOTE_ENDPOINT", absl::StrCat("unix:", access.container_socket)},
          {"HAL_DEVICE_SELECTOR", "remote"}};
}

std::map<std::string, std::string> TenantEnvironment(const ContainerAccess& access,
                                                     const std::string& virtual_device,
                                                     const std::string& token) {
  std::map<std::string, std::string> environment = CommonEnvironment(access);
  environment["HAL_REMOTE_TOKEN"] = token;
  environment["HAL_VIRTUAL_DEVICE"] = virtual_device;
  return environment;
}

}  // namespace hal::kubernetes
