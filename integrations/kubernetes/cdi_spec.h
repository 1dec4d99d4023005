// Container Device Interface (CDI) spec files for hald's devices: kind
// "hal.dev/vd", one CDI device per physical device ("hal.dev/vd=vulkan-0")
// whose container edits mount hald's socket folder and set the common
// environment (container_access.h). The per-container token is not in the
// file (it is a secret of one allocation): Allocate returns it as an
// environment variable next to the CDI device's name. cdiVersion 0.5.0,
// checked against the CDI project's JSON schema in the tests (cdi-schema/).
#ifndef HAL_INTEGRATIONS_KUBERNETES_CDI_SPEC_H_
#define HAL_INTEGRATIONS_KUBERNETES_CDI_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "integrations/kubernetes/container_access.h"
#include "integrations/kubernetes/slice_layout.h"
#include "nlohmann/json.hpp"

namespace hal::kubernetes {

inline constexpr char kCdiVersion[] = "0.5.0";

// "hal.dev/vd" for resource domain "hal.dev".
std::string CdiKind(const std::string& resource_domain);
// "hal.dev/vd=vulkan-0": the name a container runtime resolves.
std::string CdiDeviceName(const std::string& kind, const DeviceSlices& device);
// The spec of `devices`.
nlohmann::json CdiSpec(const std::string& kind, const std::vector<DeviceSlices>& devices,
                       const ContainerAccess& access);
// "<folder>/hal.dev-vd.json" (CDI names spec files "<vendor>-<class>.json").
std::string CdiSpecPath(const std::string& folder, const std::string& kind);
// Writes the spec to CdiSpecPath, through a temporary file renamed over it
// so a runtime never reads half a file. Internal naming the file on failure.
absl::Status WriteCdiSpec(const std::string& folder, const std::string& kind,
                          const nlohmann::json& spec);

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_CDI_SPEC_H_
