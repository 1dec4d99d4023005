#include "integrations/kubernetes/plugin_runner.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "integrations/kubernetes/cdi_spec.h"
#include "integrations/kubernetes/device_room.h"
#include "integrations/kubernetes/hald_admin.h"
#include "integrations/kubernetes/kubelet_registration.h"
#include "integrations/kubernetes/pod_resources_client.h"
#include "integrations/kubernetes/slice_device_plugin.h"
#include "integrations/kubernetes/plugin_log.h"

namespace hal::kubernetes {

PluginRunner::PluginRunner(const PluginOptions& options) : options_(options) {}

PluginRunner::~PluginRunner() {
  for (const auto& plugin : plugins_) plugin->Stop();
  if (registration_ != nullptr) registration_->Stop();
}

absl::StatusOr<std::unique_ptr<PluginRunner>> PluginRunner::Start(const PluginOptions& options) {
  if (absl::Status valid = ValidateSliceOptions(options.slices); !valid.ok()) return valid;
  if (absl::Status valid = ValidateContainerAccess(options.access); !valid.ok()) return valid;
  const std::string endpoint_text = options.hald_endpoint.empty()
                                        ? absl::StrCat("unix:", options.access.host_socket)
                                        : options.hald_endpoint;
  auto endpoint = remote::ParseEndpoint(endpoint_text);
  if (!endpoint.ok()) return endpoint.status();

  std::unique_ptr<PluginRunner> runner(new PluginRunner(options));
  runner->hald_ = std::make_unique<HaldAdmin>(
      HaldAdmin::Options{*endpoint, options.hald_token, options.timeout});
  auto status = runner->hald_->PoolStatus();
  if (!status.ok()) return status.status();

  const std::string cdi_kind =
      options.cdi_folder.empty() ? "" : CdiKind(options.slices.resource_domain);
  std::vector<DeviceSlices> layouts;
  for (const remote::v1::PhysicalDeviceStatus& device : status->devices()) {
    const Room room = RoomOf(*status, device, options.slices.resource_domain);
    auto slices = DeviceSlices::Make(device.id(), room.bytes, room.share, options.slices);
    if (!slices.ok()) {
      Log(absl::StrCat("not advertised: ", slices.status().message()));
      continue;
    }
    layouts.push_back(*slices);
    runner->plugins_.push_back(std::make_unique<SliceDevicePlugin>(
        *std::move(slices), *runner->hald_, options.access, cdi_kind));
    if (absl::Status adopted = runner->plugins_.back()->Adopt(*status, absl::Now());
        !adopted.ok()) {
      Log(adopted.ToString());
    }
  }
  if (runner->plugins_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no device of hald at ", endpoint_text, " has room for a slice of ",
        options.slices.slice_bytes, " bytes"));
  }
  if (!cdi_kind.empty()) {
    if (absl::Status written = WriteCdiSpec(options.cdi_folder, cdi_kind,
                                            CdiSpec(cdi_kind, layouts, options.access));
        !written.ok()) {
      return written;
    }
  }
  std::vector<SliceDevicePlugin*> served;
  for (const auto& plugin : runner->plugins_) served.push_back(plugin.get());
  runner->registration_ = std::make_unique<KubeletRegistration>(
      KubeletRegistration::Options{options.kubelet_folder, options.timeout}, std::move(served));
  if (absl::Status registered = runner->registration_->Start(); !registered.ok()) {
    if (absl::IsInternal(registered)) return registered;
    Log(absl::StrCat(registered.ToString(), " (tried again)"));
  }
  runner->pods_ = std::make_unique<PodResourcesClient>(options.pod_resources_socket,
                                                       options.timeout);
  return runner;
}

void PluginRunner::Tick() {
  const bool healthy = hald_->PoolStatus().ok();
  for (const auto& plugin : plugins_) plugin->SetHealthy(healthy);
  if (auto renewed = registration_->RenewIfKubeletRestarted(); !renewed.ok()) {
    Log(absl::StrCat(renewed.status().ToString(), " (tried again)"));
  }
  auto in_use = pods_->DevicesInUse();
  if (!in_use.ok()) {
    // Without the kubelet's word nothing is reclaimed.
    Log(absl::StrCat(in_use.status().ToString(), " (nothing reclaimed)"));
    return;
  }
  const absl::Time held_before = absl::Now() - options_.reclaim_grace;
  for (const auto& plugin : plugins_) {
    plugin->Reconcile((*in_use)[plugin->slices().resource_name()], held_before);
  }
}

}  // namespace hal::kubernetes
