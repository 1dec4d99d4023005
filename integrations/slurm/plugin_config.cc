#include "integrations/slurm/plugin_config.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/token_file.h"
#include "integrations/slurm/vd_spec.h"

namespace hal::slurm {
namespace {

constexpr char kDefaultEndpoint[] = "unix:/run/hal/hald.sock";
constexpr int kMaxTimeoutSeconds = 600;

absl::Status ArgumentError(const std::string& argument, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("hal_spank plugstack.conf argument \"", argument, "\": ", what));
}

}  // namespace

absl::StatusOr<PluginConfig> ParsePluginArguments(const std::vector<std::string>& arguments) {
  PluginConfig config;
  std::string endpoint = kDefaultEndpoint;
  std::set<std::string> seen;
  for (const std::string& argument : arguments) {
    const size_t equals = argument.find('=');
    if (equals == std::string::npos) {
      return ArgumentError(argument, "expected KEY=VALUE (endpoint=, timeout=, defaults=, token_file=)");
    }
    const std::string key = argument.substr(0, equals);
    const std::string value = argument.substr(equals + 1);
    if (!seen.insert(key).second) return ArgumentError(argument, "given twice");
    if (key == "endpoint") {
      endpoint = value;
    } else if (key == "timeout") {
      int seconds = 0;
      if (!absl::SimpleAtoi(value, &seconds) || seconds < 1 || seconds > kMaxTimeoutSeconds) {
        return ArgumentError(argument, "timeout must be whole seconds from 1 to 600");
      }
      config.timeout = absl::Seconds(seconds);
    } else if (key == "defaults") {
      if (absl::Status applied = ApplyVirtualDeviceSpec(value, config.defaults); !applied.ok()) {
        return ArgumentError(argument, applied.message());
      }
    } else if (key == "token_file") {
      absl::StatusOr<std::string> token = remote::ReadTokenFile(value);
      if (!token.ok()) return ArgumentError(argument, token.status().message());
      config.admin_token = *std::move(token);
    } else {
      return ArgumentError(argument,
                           "unknown key; the keys are endpoint, timeout, defaults, token_file");
    }
  }
  absl::StatusOr<remote::Endpoint> parsed = remote::ParseEndpoint(endpoint);
  if (!parsed.ok()) return ArgumentError(absl::StrCat("endpoint=", endpoint), parsed.status().message());
  config.endpoint = *std::move(parsed);
  return config;
}

}  // namespace hal::slurm
