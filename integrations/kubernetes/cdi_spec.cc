#include "integrations/kubernetes/cdi_spec.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace hal::kubernetes {

std::string CdiKind(const std::string& resource_domain) {
  return absl::StrCat(resource_domain, "/vd");
}

std::string CdiDeviceName(const std::string& kind, const DeviceSlices& device) {
  return absl::StrCat(kind, "=", device.short_name());
}

nlohmann::json CdiSpec(const std::string& kind, const std::vector<DeviceSlices>& devices,
                       const ContainerAccess& access) {
  nlohmann::json environment = nlohmann::json::array();
  for (const auto& [name, value] : CommonEnvironment(access)) {
    environment.push_back(absl::StrCat(name, "=", value));
  }
  const SocketMount mount = SocketMountOf(access);
  nlohmann::json edits = {
      {"env", environment},
      {"mounts",
       {{{"hostPath", mount.host_path},
         {"containerPath", mount.container_path},
         {"type", "bind"},
         {"options", {"rbind", "ro", "nosuid", "nodev", "noexec"}}}}}};
  nlohmann::json entries = nlohmann::json::array();
  for (const DeviceSlices& device : devices) {
    entries.push_back({{"name", device.short_name()}, {"containerEdits", edits}});
  }
  return {{"cdiVersion", kCdiVersion}, {"kind", kind}, {"devices", entries}};
}

std::string CdiSpecPath(const std::string& folder, const std::string& kind) {
  return absl::StrCat(folder, "/", absl::StrReplaceAll(kind, {{"/", "-"}}), ".json");
}

absl::Status WriteCdiSpec(const std::string& folder, const std::string& kind,
                          const nlohmann::json& spec) {
  const std::string path = CdiSpecPath(folder, kind);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << spec.dump(2) << "\n";
    file.close();
    if (!file) {
      std::remove(temporary.c_str());
      return absl::InternalError(absl::StrCat("writing the CDI spec ", temporary, " failed"));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return absl::InternalError(
        absl::StrCat("renaming ", temporary, " to ", path, " failed: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace hal::kubernetes
