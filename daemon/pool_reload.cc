#include "daemon/pool_reload.h"

#include <map>
#include <memory>

#include "hal/status_macros.h"

namespace hal::daemon {

bool SameSpec(const VirtualDeviceSpec& a, const VirtualDeviceSpec& b) {
  return a.name == b.name && a.memory_quota == b.memory_quota &&
         a.compute_share == b.compute_share && a.require_vendor == b.require_vendor &&
         a.require_format == b.require_format && a.prefer_vendor == b.prefer_vendor &&
         a.require_device == b.require_device &&
         a.priority == b.priority && a.pin_limit == b.pin_limit &&
         a.memory_cache_limit == b.memory_cache_limit;
}

absl::Status ReloadVirtualDevices(const Runtime& runtime, Pool& pool, const std::string& path,
                                  const std::set<std::string, std::less<>>& dynamic,
                                  std::ostream& log) {
  // The file is read by the one pool-file reader there is: into a pool of its
  // own (placed on empty devices, so nothing of the live pool is touched),
  // whose virtual devices' specs are then compared with the live ones.
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<Pool> reread, Pool::FromFile(runtime, path),
                       "reloading ", path);
  std::map<std::string, std::shared_ptr<VirtualDevice>> live;
  for (std::shared_ptr<VirtualDevice>& device : pool.virtual_devices()) {
    if (!dynamic.contains(device->name())) live.emplace(device->name(), std::move(device));
  }
  for (const std::shared_ptr<VirtualDevice>& wanted : reread->virtual_devices()) {
    const VirtualDeviceSpec& spec = wanted->spec();
    if (dynamic.contains(spec.name)) {
      log << "hald: reload: virtual device " << spec.name
          << " not added: an admin request created one of that name\n";
      continue;
    }
    auto it = live.find(spec.name);
    if (it == live.end()) {
      absl::StatusOr<std::shared_ptr<VirtualDevice>> created = pool.CreateVirtualDevice(spec);
      if (created.ok()) {
        log << "hald: reload: virtual device " << spec.name << " added on "
            << (*created)->placement().id() << "\n";
      } else {
        log << "hald: reload: virtual device " << spec.name
            << " not added: " << created.status().message() << "\n";
      }
      continue;
    }
    if (!SameSpec(it->second->spec(), spec)) {
      log << "hald: reload: virtual device " << spec.name
          << " changed in the pool file; kept as it was (a live virtual device cannot be "
             "changed; restart hald to apply)\n";
    }
    live.erase(it);
  }
  for (const auto& [name, device] : live) {
    log << "hald: reload: virtual device " << name
        << " is no longer in the pool file; kept (restart hald to remove it)\n";
  }
  return absl::OkStatus();
}

}  // namespace hal::daemon
