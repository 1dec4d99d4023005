// The plugin's arguments on its plugstack.conf line, e.g.
//   required /usr/lib/hal/slurm/hal_spank.so endpoint=unix:/run/hal/hald.sock timeout=10 defaults=share=0.5
//
//   endpoint=E     hald's endpoint, unix:/abs/path or tcp://HOST:PORT
//                  (default unix:/run/hal/hald.sock, as the remote driver's)
//   timeout=S      seconds to wait for hald to connect and to answer each
//                  request (default 10; whole seconds, 1 to 600)
//   defaults=SPEC  keys every --hal-vd SPEC starts from (vd_spec.h), e.g.
//                  share=0.5,vendor=NVIDIA; a job's SPEC overrides them
//   token_file=F   a file holding a token of a pool-file rule with
//                  "admin": true, for a hald of which slurmd is no operator
//                  (over TCP, or in another PID namespace); read here, once
#ifndef HAL_INTEGRATIONS_SLURM_PLUGIN_CONFIG_H_
#define HAL_INTEGRATIONS_SLURM_PLUGIN_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/admin_requests.h"
#include "backends/remote/protocol/endpoint.h"

namespace hal::slurm {

struct PluginConfig {
  remote::Endpoint endpoint;
  absl::Duration timeout = absl::Seconds(10);
  remote::VirtualDeviceRequest defaults;
  std::string admin_token;  // from token_file=; empty: slurmd is an operator
};

// InvalidArgument naming the argument: an unknown or repeated key, a value
// that does not parse, a token file that cannot be read.
absl::StatusOr<PluginConfig> ParsePluginArguments(const std::vector<std::string>& arguments);

}  // namespace hal::slurm

#endif  // HAL_INTEGRATIONS_SLURM_PLUGIN_CONFIG_H_
