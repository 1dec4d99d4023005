// libFuzzer target for what the Slurm SPANK plugin parses from outside: a
// user's `--hal-vd=SPEC` (vd_spec.h) and its plugstack.conf arguments
// (plugin_config.h, hald's endpoint among them). The input's first line is
// the SPEC, each further line one plugstack.conf argument. Any input must
// be accepted or refused with InvalidArgument; what is accepted is in range
// (a quota of at least one byte, a share in (0, 1], a timeout of 1 to 600 s)
// and an endpoint written back out parses to itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "integrations/slurm/plugin_config.h"
#include "integrations/slurm/vd_spec.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireInRange(const hal::remote::VirtualDeviceRequest& request) {
  Require(request.compute_share > 0 && request.compute_share <= 1);
}

bool SameEndpoint(const hal::remote::Endpoint& a, const hal::remote::Endpoint& b) {
  return a.kind == b.kind && a.path == b.path && a.host == b.host && a.port == b.port;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  const std::string spec = lines.front();
  const std::vector<std::string> arguments(lines.begin() + 1, lines.end());

  hal::remote::VirtualDeviceRequest defaults;
  absl::StatusOr<hal::slurm::PluginConfig> config = hal::slurm::ParsePluginArguments(arguments);
  if (config.ok()) {
    RequireInRange(config->defaults);
    Require(config->timeout >= absl::Seconds(1) && config->timeout <= absl::Seconds(600));
    absl::StatusOr<hal::remote::Endpoint> again =
        hal::remote::ParseEndpoint(config->endpoint.ToString());
    Require(again.ok() && SameEndpoint(*again, config->endpoint));
    defaults = config->defaults;
  } else {
    Require(config.status().code() == absl::StatusCode::kInvalidArgument);
  }

  // ApplyVirtualDeviceSpec leaves the request alone when it refuses.
  hal::remote::VirtualDeviceRequest applied = defaults;
  const absl::Status status = hal::slurm::ApplyVirtualDeviceSpec(spec, applied);
  if (!status.ok()) {
    Require(status.code() == absl::StatusCode::kInvalidArgument);
    Require(applied.memory_quota == defaults.memory_quota &&
            applied.compute_share == defaults.compute_share &&
            applied.priority == defaults.priority &&
            applied.require_vendor == defaults.require_vendor &&
            applied.prefer_vendor == defaults.prefer_vendor &&
            applied.require_format == defaults.require_format &&
            applied.require_device == defaults.require_device);
  }
  absl::StatusOr<hal::remote::VirtualDeviceRequest> request =
      hal::slurm::ParseVirtualDeviceSpec(spec, defaults);
  if (!request.ok()) {
    Require(request.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  Require(status.ok() && request->memory_quota >= 1);
  RequireInRange(*request);
  return 0;
}
