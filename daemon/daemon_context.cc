#include "daemon/daemon_context.h"

namespace hal::daemon {

DaemonContext::DaemonContext(Pool& pool, AccessPolicy policy)
    : pool_(pool), file_policy_(std::move(policy)) {
  std::lock_guard<std::mutex> lock(mu_);
  RebuildPolicyLocked();
}

std::shared_ptr<const AccessPolicy> DaemonContext::policy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return policy_;
}

void DaemonContext::ReplacePolicy(AccessPolicy policy) {
  std::lock_guard<std::mutex> lock(mu_);
  file_policy_ = std::move(policy);
  RebuildPolicyLocked();
}

void DaemonContext::RebuildPolicyLocked() {
  std::vector<AccessPolicy::Rule> grants;
  for (const auto& [name, device] : dynamic_) {
    if (!device.retiring) grants.push_back(device.grant);
  }
  policy_ = std::make_shared<const AccessPolicy>(file_policy_.WithGrants(std::move(grants)));
}

std::shared_ptr<VirtualDevice> DaemonContext::FindVirtualDevice(absl::string_view name) const {
  for (std::shared_ptr<VirtualDevice>& device : VirtualDevices()) {
    if (device->name() == name) return device;
  }
  return nullptr;
}

std::vector<std::shared_ptr<VirtualDevice>> DaemonContext::VirtualDevices() const {
  std::vector<std::shared_ptr<VirtualDevice>> devices = pool_.virtual_devices();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(devices, [&](const std::shared_ptr<VirtualDevice>& device) {
    auto it = dynamic_.find(device->name());
    return it != dynamic_.end() && it->second.retiring;
  });
  return devices;
}

void DaemonContext::AddDynamic(const std::string& name, DynamicVirtualDevice device) {
  std::lock_guard<std::mutex> lock(mu_);
  dynamic_.insert_or_assign(name, std::move(device));
  RebuildPolicyLocked();
}

std::optional<DynamicVirtualDevice> DaemonContext::Dynamic(absl::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dynamic_.find(name);
  if (it == dynamic_.end()) return std::nullopt;
  return it->second;
}

void DaemonContext::Retire(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dynamic_.find(name);
  if (it == dynamic_.end()) return;
  it->second.retiring = true;
  RebuildPolicyLocked();
}

void DaemonContext::RemoveDynamic(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  dynamic_.erase(name);
  RebuildPolicyLocked();
}

std::vector<std::string> DaemonContext::LeasedBy(uint64_t session) const {
  std::vector<std::string> names;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, device] : dynamic_) {
    if (device.lease_session == session) names.push_back(name);
  }
  return names;
}

std::map<std::string, std::string> DaemonContext::Owners() const {
  std::map<std::string, std::string> owners;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, device] : dynamic_) owners.emplace(name, device.owner);
  return owners;
}

}  // namespace hal::daemon
