// Driver manifests: the small JSON files through which drivers are found
// (docs/driver-guide.md). A vendor installs a driver by dropping one into a
// searched folder; the loader needs no change.
#ifndef HAL_RUNTIME_DRIVER_MANIFEST_H_
#define HAL_RUNTIME_DRIVER_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hal::internal {

struct DriverManifest {
  std::string path;          // the manifest file
  std::string name;          // selector name of the driver
  std::string library_path;  // absolute, or resolved against the manifest's folder
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
};

// InvalidArgument naming the file and the problem for malformed manifests.
absl::StatusOr<DriverManifest> ReadDriverManifest(const std::string& path);

// The *.json files of `folder`, sorted by name; a missing folder has none.
std::vector<std::string> ListManifestFiles(const std::string& folder);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DRIVER_MANIFEST_H_
