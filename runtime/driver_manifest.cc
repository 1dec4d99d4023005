#include "runtime/driver_manifest.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "runtime/strict_json.h"

namespace hal::internal {
namespace {

namespace fs = std::filesystem;

absl::Status ManifestError(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("driver manifest ", path, ": ", problem));
}

absl::StatusOr<std::string> RequiredString(const nlohmann::json& driver, const char* key,
                                           const std::string& path) {
  auto it = driver.find(key);
  if (it == driver.end() || !it->is_string() || it->get<std::string>().empty()) {
    return ManifestError(path, absl::StrCat("\"driver.", key, "\" must be a non-empty string"));
  }
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<DriverManifest> ReadDriverManifest(const std::string& path) {
  // Unknown keys are accepted (a later manifest format may add some, as the
  // ICD loaders' do); duplicates are not: which one counts would be a guess.
  absl::StatusOr<nlohmann::json> parsed = ReadStrictJsonFile(path, "driver manifest");
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& json = *parsed;
  auto driver = json.find("driver");
  if (!json.is_object() || driver == json.end() || !driver->is_object()) {
    return ManifestError(path, "missing the \"driver\" object");
  }
  DriverManifest manifest;
  manifest.path = path;
  auto name = RequiredString(*driver, "name", path);
  if (!name.ok()) return name.status();
  auto library = RequiredString(*driver, "library_path", path);
  if (!library.ok()) return library.status();
  auto abi = RequiredString(*driver, "abi_version", path);
  if (!abi.ok()) return abi.status();

  std::vector<std::string> parts = absl::StrSplit(*abi, '.');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &manifest.abi_major) ||
      !absl::SimpleAtoi(parts[1], &manifest.abi_minor)) {
    return ManifestError(
        path, absl::StrCat("\"driver.abi_version\" (\"", *abi, "\") must be \"<major>.<minor>\""));
  }
  manifest.name = *std::move(name);
  fs::path library_path(*library);
  if (library_path.is_relative()) library_path = fs::path(path).parent_path() / library_path;
  manifest.library_path = library_path.lexically_normal().string();
  return manifest;
}

std::vector<std::string> ListManifestFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".json" && !entry.is_directory(error)) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace hal::internal
