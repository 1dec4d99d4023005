// What a container needs to reach hald: the node's hald socket folder mounted
// into it, and the environment that points the remote driver at it and at
// its virtual device. Used alike by Allocate's answer and the CDI spec
// (a DRA plugin would use it the same way).
#ifndef HAL_INTEGRATIONS_KUBERNETES_CONTAINER_ACCESS_H_
#define HAL_INTEGRATIONS_KUBERNETES_CONTAINER_ACCESS_H_

#include <map>
#include <string>

#include "absl/status/status.h"

namespace hal::kubernetes {

struct ContainerAccess {
  std::string host_socket = "/run/hal/hald.sock";       // hald's Unix socket on the node
  std::string container_socket = "/run/hal/hald.sock";  // where containers see it
};

// InvalidArgument naming the flag unless both are absolute paths of a file
// in a folder other than "/" (the folder is what is mounted).
absl::Status ValidateContainerAccess(const ContainerAccess& access);

// The socket's folder, mounted read-only (connecting to a socket needs no
// write access to its file system); a folder rather than the socket file so
// that a restarted hald's new socket is seen.
struct SocketMount {
  std::string host_path;
  std::string container_path;
};
SocketMount SocketMountOf(const ContainerAccess& access);

// Environment every container of hald's devices gets:
//   HAL_REMOTE_ENDPOINT=unix:<container socket>
//   HAL_DEVICE_SELECTOR=remote   (its hal devices are hald's: remote:0 ...)
std::map<std::string, std::string> CommonEnvironment(const ContainerAccess& access);

// CommonEnvironment plus what names one virtual device:
//   HAL_REMOTE_TOKEN=<the token hald issued for it>
//   HAL_VIRTUAL_DEVICE=<its name>
std::map<std::string, std::string> TenantEnvironment(const ContainerAccess& access,
                                                     const std::string& virtual_device,
                                                     const std::string& token);

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_CONTAINER_ACCESS_H_
