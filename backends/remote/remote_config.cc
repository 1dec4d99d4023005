#include "backends/remote/remote_config.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hal::remote {

absl::StatusOr<RemoteConfig> ParseRemoteConfig(const char* endpoint, const char* token,
                                               const char* shared_memory_bytes,
                                               const char* cross_memory) {
  RemoteConfig config;
  const absl::string_view endpoint_text = endpoint != nullptr ? endpoint : kDefaultEndpoint;
  if (endpoint_text == "none") {
    return absl::UnavailableError("disabled by HAL_REMOTE_ENDPOINT=none");
  }
  absl::StatusOr<Endpoint> parsed = ParseEndpoint(endpoint_text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("HAL_REMOTE_ENDPOINT: ", parsed.status().message()));
  }
  config.endpoint = *std::move(parsed);
  if (token != nullptr) config.token = token;
  if (shared_memory_bytes != nullptr) {
    uint64_t bytes = 0;
    if (!absl::SimpleAtoi(shared_memory_bytes, &bytes) ||
        (bytes != 0 && (bytes < kMinSharedMemoryBytes || bytes > kMaxSharedMemoryBytes))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "HAL_REMOTE_SHM_BYTES=", shared_memory_bytes, " is not 0 or a byte count from ",
          kMinSharedMemoryBytes, " to ", kMaxSharedMemoryBytes));
    }
    config.shared_memory_bytes = bytes;
  }
  if (cross_memory != nullptr) {
    const absl::string_view text = cross_memory;
    if (text != "on" && text != "off") {
      return absl::InvalidArgumentError(
          absl::StrCat("HAL_REMOTE_CROSS_MEMORY=", text, " is not on or off"));
    }
    config.cross_memory = text == "on";
  }
  return config;
}

absl::StatusOr<RemoteConfig> RemoteConfigFromEnvironment() {
  return ParseRemoteConfig(std::getenv("HAL_REMOTE_ENDPOINT"), std::getenv("HAL_REMOTE_TOKEN"),
                           std::getenv("HAL_REMOTE_SHM_BYTES"),
                           std::getenv("HAL_REMOTE_CROSS_MEMORY"));
}

}  // namespace hal::remote
