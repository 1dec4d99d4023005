#include "hal/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime/driver_loader.h"
#include "runtime/driver_manifest.h"

namespace hal {
namespace {

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::vector<std::string> SearchPaths(const RuntimeOptions& options) {
  std::vector<std::string> paths = options.driver_paths;
  if (options.use_driver_path_env) {
    for (absl::string_view folder :
         absl::StrSplit(EnvOrEmpty("HAL_DRIVER_PATH"), ':', absl::SkipEmpty())) {
      paths.emplace_back(folder);
    }
  }
  if (options.use_default_driver_path) {
    if (std::string folder = internal::DefaultDriverFolder(); !folder.empty()) {
      paths.push_back(std::move(folder));
    }
  }
  std::vector<std::string> unique;
  for (std::string& path : paths) {
    if (std::find(unique.begin(), unique.end(), path) == unique.end()) {
      unique.push_back(std::move(path));
    }
  }
  return unique;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(const RuntimeOptions& options) {
  const std::string selector_text =
      options.selector ? *options.selector : EnvOrEmpty("HAL_DEVICE_SELECTOR");
  auto selector = DeviceSelector::Parse(selector_text);
  if (!selector.ok()) return selector.status();

  std::unique_ptr<Runtime> runtime(new Runtime());
  runtime->selector_ = *std::move(selector);
  runtime->search_paths_ = SearchPaths(options);

  // Earlier folders win: a manifest of an already-seen driver name is listed
  // as shadowed, so a user can override an installed driver through
  // HAL_DRIVER_PATH and still see both in hal-info.
  absl::flat_hash_map<std::string, std::string> seen;  // driver name -> manifest
  std::vector<DeviceSelector::Candidate> found;  // every device, for selector diagnostics
  for (const std::string& folder : runtime->search_paths_) {
    for (const std::string& file : internal::ListManifestFiles(folder)) {
      auto manifest = internal::ReadDriverManifest(file);
      if (!manifest.ok()) {
        Driver::Info info;
        info.name = std::filesystem::path(file).stem().string();
        info.manifest_path = file;
        info.reason = std::string(manifest.status().message());
        runtime->drivers_.push_back(std::make_unique<Driver>(std::move(info)));
        continue;
      }
      if (auto it = seen.find(manifest->name); it != seen.end()) {
        Driver::Info info;
        info.name = manifest->name;
        info.manifest_path = file;
        info.library_path = manifest->library_path;
        info.reason = absl::StrCat("shadowed by ", it->second, ", found earlier");
        runtime->drivers_.push_back(std::make_unique<Driver>(std::move(info)));
        continue;
      }
      seen.emplace(manifest->name, file);
      internal::DriverLoadResult loaded = internal::LoadDriver(*manifest);
      runtime->drivers_.push_back(std::make_unique<Driver>(std::move(loaded.info)));
      if (!loaded.driver) continue;
      for (uint32_t index = 0; index < loaded.devices.size(); ++index) {
        found.push_back({manifest->name, index, loaded.devices[index].uuid});
        if (!runtime->selector_.Matches(manifest->name, index, loaded.devices[index].uuid)) {
          continue;
        }
        runtime->devices_.push_back(std::make_shared<PhysicalDevice>(
            loaded.driver, index, std::move(loaded.devices[index])));
      }
      runtime->loaded_.push_back(std::move(loaded.driver));
    }
  }
  runtime->unmatched_terms_ = runtime->selector_.ExplainUnmatched(found);
  return runtime;
}

// Each driver is shut down and unloaded when the last of the runtime, its
// physical devices and the contexts opened on them lets go of it.
Runtime::~Runtime() = default;

std::vector<const Driver*> Runtime::drivers() const {
  std::vector<const Driver*> out;
  for (const auto& driver : drivers_) out.push_back(driver.get());
  return out;
}

std::vector<const PhysicalDevice*> Runtime::devices() const {
  std::vector<const PhysicalDevice*> out;
  for (const auto& device : devices_) out.push_back(device.get());
  return out;
}

absl::StatusOr<const PhysicalDevice*> Runtime::FindDevice(absl::string_view id) const {
  for (const auto& device : devices_) {
    if (device->id() == id) return device.get();
  }
  if (auto selector = DeviceSelector::Parse(id); selector.ok()) {
    for (const auto& device : devices_) {
      if (selector->Matches(device->driver_name(), device->index(), device->properties().uuid)) {
        return device.get();
      }
    }
  }
  std::vector<std::string> ids;
  for (const auto& device : devices_) ids.push_back(device->id());
  return absl::NotFoundError(absl::StrCat("no device \"", id, "\" among the selected devices [",
                                          absl::StrJoin(ids, ", "), "]"));
}

}  // namespace hal
