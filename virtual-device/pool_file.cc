// Pool description files (docs/virtual-devices.md, "Pool files"): a pool and
// its virtual devices in JSON, for operators and hal-info --pool.
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "hal/runtime.h"
#include "hal/selector.h"
#include "hal/status_macros.h"
#include "hal/virtual_device.h"
#include "nlohmann/json.hpp"
#include "runtime/strict_json.h"

namespace hal {
namespace {

using nlohmann::json;

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("pool file ", path, ": ", what));
}

// Bytes as a number or a string with a binary unit: "512MiB", "8 GiB".
absl::StatusOr<uint64_t> ParseBytes(const json& value, const std::string& path,
                                    absl::string_view field) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    const std::pair<const char*, uint64_t> units[] = {
        {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}};
    for (const auto& [suffix, scale] : units) {
      if (absl::EndsWith(text, suffix)) {
        double number = 0;
        std::string digits = text.substr(0, text.size() - strlen(suffix));
        // Below 2^64 (a double cast past it is undefined); "inf" and "nan" fail too.
        constexpr double kLimit = 18446744073709551616.0;
        if (absl::SimpleAtod(digits, &number) && number > 0 &&
            number * static_cast<double>(scale) < kLimit) {
          return static_cast<uint64_t>(number * static_cast<double>(scale));
        }
      }
    }
    uint64_t bytes = 0;
    if (absl::SimpleAtoi(text, &bytes)) return bytes;
  }
  return FileError(
      path, absl::StrCat(field, " must be a byte count below 2^64 or a string like \"512MiB\""));
}

// The number at `key` of `object`, refused unless within [min, max] (and
// `min_exclusive`: above min), with the key named.
absl::StatusOr<double> ReadNumber(const json& object, const char* key, double min,
                                  bool min_exclusive, double max, const std::string& path,
                                  absl::string_view where) {
  const json& value = object[key];
  const bool in_range = value.is_number() && std::isfinite(value.get<double>()) &&
                        (min_exclusive ? value.get<double>() > min : value.get<double>() >= min) &&
                        value.get<double>() <= max;
  if (!in_range) {
    return FileError(
        path, absl::StrCat(where, key, " must be a number in ", min_exclusive ? "(" : "[", min,
                           ", ", max, "]; it is ", value.dump()));
  }
  return value.get<double>();
}

absl::StatusOr<std::vector<const PhysicalDevice*>> PoolDevices(const Runtime& runtime,
                                                               const json& list,
                                                               const std::string& path) {
  if (!list.is_array() || list.empty()) {
    return FileError(path, "\"pool.devices\" must be a non-empty array of selectors");
  }
  std::vector<const PhysicalDevice*> devices;
  for (const json& entry : list) {
    if (!entry.is_string()) return FileError(path, "each of \"pool.devices\" must be a string");
    HAL_ASSIGN_OR_RETURN(DeviceSelector selector, DeviceSelector::Parse(entry.get<std::string>()),
                         "reading pool file ", path);
    size_t matched = 0;
    for (const PhysicalDevice* device : runtime.devices()) {
      if (!selector.Matches(device->driver_name(), device->index(), device->properties().uuid)) {
        continue;
      }
      ++matched;
      if (std::find(devices.begin(), devices.end(), device) == devices.end()) {
        devices.push_back(device);
      }
    }
    if (matched == 0) {
      return absl::NotFoundError(absl::StrCat("pool file ", path, ": \"", entry.get<std::string>(),
                                              "\" matches no device (see hal-info)"));
    }
  }
  return devices;
}

// Ratios past this are typos: no host holds 1000 times a device's memory.
constexpr double kMaxOvercommitRatio = 1000;

absl::StatusOr<PoolOptions> ReadPoolOptions(const json& pool, const std::string& path) {
  HAL_RETURN_IF_ERROR(
      internal::CheckKnownKeys(pool,
                               {"devices", "overcommit_ratio", "placement", "time_slice",
                                "capacity_caps", "host_memory_limit_bytes"},
                               absl::StrCat("pool file ", path, ": \"pool\"")));
  PoolOptions options;
  if (pool.contains("overcommit_ratio")) {
    HAL_ASSIGN_OR_RETURN(options.overcommit_ratio, ReadNumber(pool, "overcommit_ratio", 1, false,
                                                              kMaxOvercommitRatio, path, "pool."));
  }
  if (pool.contains("placement")) {
    const json& placement = pool["placement"];
    if (placement == "binpack") {
      options.placement = PlacementPolicy::kBinpack;
    } else if (placement == "spread") {
      options.placement = PlacementPolicy::kSpread;
    } else {
      return FileError(path, "\"pool.placement\" must be \"binpack\" or \"spread\"");
    }
  }
  if (pool.contains("time_slice")) {
    const json& mode = pool["time_slice"];
    if (mode == "strict") {
      options.time_slice = TimeSliceMode::kStrict;
    } else if (mode == "work-conserving") {
      options.time_slice = TimeSliceMode::kWorkConserving;
    } else {
      return FileError(path, "\"pool.time_slice\" must be \"strict\" or \"work-conserving\"");
    }
  }
  if (pool.contains("capacity_caps")) {
    if (!pool["capacity_caps"].is_object()) {
      return FileError(path, "\"pool.capacity_caps\" must map device ids to byte counts");
    }
    for (const auto& [id, value] : pool["capacity_caps"].items()) {
      HAL_ASSIGN_OR_RETURN(options.capacity_caps[id],
                           ParseBytes(value, path, absl::StrCat("capacity_caps.", id)));
    }
  }
  if (pool.contains("host_memory_limit_bytes")) {
    HAL_ASSIGN_OR_RETURN(
        options.host_memory_limit_bytes,
        ParseBytes(pool["host_memory_limit_bytes"], path, "pool.host_memory_limit_bytes"));
  }
  return options;
}

absl::StatusOr<VirtualDeviceSpec> ReadSpec(const json& entry, const std::string& path) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
    return FileError(path, "each virtual device needs a string \"name\"");
  }
  VirtualDeviceSpec spec;
  spec.name = entry["name"].get<std::string>();
  const std::string where = absl::StrCat("virtual device \"", spec.name, "\"");
  HAL_RETURN_IF_ERROR(
      internal::CheckKnownKeys(entry,
                               {"name", "memory_quota", "compute_share", "require_vendor",
                                "require_format", "require_device", "prefer_vendor", "priority",
                                "pin_limit"},
                               absl::StrCat("pool file ", path, ": ", where)));
  if (!entry.contains("memory_quota")) return FileError(path, where + " needs \"memory_quota\"");
  HAL_ASSIGN_OR_RETURN(spec.memory_quota,
                       ParseBytes(entry["memory_quota"], path, where + " memory_quota"));
  if (entry.contains("pin_limit")) {
    HAL_ASSIGN_OR_RETURN(spec.pin_limit,
                         ParseBytes(entry["pin_limit"], path, where + " pin_limit"));
  }
  if (entry.contains("compute_share")) {
    HAL_ASSIGN_OR_RETURN(spec.compute_share,
                         ReadNumber(entry, "compute_share", 0, true, 1, path, where + " "));
  }
  for (auto [key, field] : {std::pair{"require_vendor", &spec.require_vendor},
                            std::pair{"require_format", &spec.require_format},
                            std::pair{"require_device", &spec.require_device},
                            std::pair{"prefer_vendor", &spec.prefer_vendor}}) {
    if (!entry.contains(key)) continue;
    if (!entry[key].is_string())
      return FileError(path, absl::StrCat(where, " ", key, " must be a string"));
    *field = entry[key].get<std::string>();
  }
  if (entry.contains("priority")) {
    const json& priority = entry["priority"];
    constexpr int64_t kMin = std::numeric_limits<int>::min();
    constexpr int64_t kMax = std::numeric_limits<int>::max();
    const bool fits = priority.is_number_unsigned()
                          ? priority.get<uint64_t>() <= uint64_t{kMax}
                          : priority.is_number_integer() && priority.get<int64_t>() >= kMin &&
                                priority.get<int64_t>() <= kMax;
    if (!fits) {
      return FileError(path, absl::StrCat(where, " priority must be an integer in [", kMin, ", ",
                                          kMax, "]; it is ", priority.dump()));
    }
    spec.priority = priority.get<int>();
  }
  return spec;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pool>> Pool::FromFile(const Runtime& runtime,
                                                     const std::string& path) {
  HAL_ASSIGN_OR_RETURN(const json file, internal::ReadStrictJsonFile(path, "pool file"));
  if (!file.is_object() || !file.contains("pool") || !file["pool"].is_object()) {
    return FileError(path, "missing the \"pool\" object");
  }
  // "hald": the daemon's access rules (daemon/access_policy.cc validates it);
  // the pool itself does not depend on them.
  HAL_RETURN_IF_ERROR(internal::CheckKnownKeys(file, {"pool", "virtual_devices", "hald"},
                                               absl::StrCat("pool file ", path)));
  const json& pool_json = file["pool"];
  if (!pool_json.contains("devices")) return FileError(path, "missing \"pool.devices\"");
  HAL_ASSIGN_OR_RETURN(std::vector<const PhysicalDevice*> devices,
                       PoolDevices(runtime, pool_json["devices"], path));
  HAL_ASSIGN_OR_RETURN(PoolOptions options, ReadPoolOptions(pool_json, path));
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Create(std::move(devices), options),
                       "creating the pool of ", path);
  if (file.contains("virtual_devices")) {
    if (!file["virtual_devices"].is_array()) {
      return FileError(path, "\"virtual_devices\" must be an array");
    }
    for (const json& entry : file["virtual_devices"]) {
      HAL_ASSIGN_OR_RETURN(VirtualDeviceSpec spec, ReadSpec(entry, path));
      HAL_RETURN_IF_ERROR(pool->CreateVirtualDevice(spec).status(), "placing virtual devices of ",
                          path);
    }
  }
  return pool;
}

}  // namespace hal
