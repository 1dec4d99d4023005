#include "integrations/slurm/step_device.h"

#include <slurm/slurm.h>

#include "absl/strings/str_cat.h"

namespace hal::slurm {
namespace {

absl::Status Prefixed(const absl::Status& status, absl::string_view name) {
  return absl::Status(status.code(), absl::StrCat("virtual device ", name, ": ", status.message()));
}

}  // namespace

std::string StepLabel(const JobStep& step) {
  switch (step.step_id) {
    case SLURM_BATCH_SCRIPT:
      return absl::StrCat(step.job_id, ".batch");
    case SLURM_INTERACTIVE_STEP:
      return absl::StrCat(step.job_id, ".interactive");
    case SLURM_EXTERN_CONT:
      return absl::StrCat(step.job_id, ".extern");
    default:
      return absl::StrCat(step.job_id, ".", step.step_id);
  }
}

absl::StatusOr<StepVirtualDevice> StepVirtualDevice::Create(const PluginConfig& config,
                                                            const JobStep& step,
                                                            remote::VirtualDeviceRequest request) {
  const std::string label = StepLabel(step);
  request.name = absl::StrCat("slurm-", label);
  request.owner = absl::StrCat("slurm job ", label);
  // No attach_uids: the token scopes a step's sessions to its own virtual
  // device whatever the job's uid (root included), so a uid grant would only
  // let the user's processes without the token reach every step's device.
  request.attach_uids.clear();
  request.lease = true;
  absl::StatusOr<remote::DaemonClient> daemon =
      remote::DaemonClient::Connect(config.endpoint, config.admin_token,
                                    absl::StrCat("hal_spank job ", label),
                                    config.timeout);
  if (!daemon.ok()) return Prefixed(daemon.status(), request.name);
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(*daemon, request);
  if (!created.ok()) return Prefixed(created.status(), request.name);
  return StepVirtualDevice(*std::move(daemon), *std::move(created));
}

std::vector<std::pair<std::string, std::string>> StepVirtualDevice::TaskEnvironment() const {
  return {{"HAL_REMOTE_ENDPOINT", daemon_.endpoint()},
          {"HAL_REMOTE_TOKEN", created_.token},
          {"HAL_VIRTUAL_DEVICE", created_.name},
          {"HAL_DEVICE_SELECTOR", "remote:0"}};
}

absl::Status StepVirtualDevice::Destroy() {
  absl::Status destroyed = remote::DestroyVirtualDevice(daemon_, created_.name);
  if (!destroyed.ok()) return Prefixed(destroyed, created_.name);
  return absl::OkStatus();
}

}  // namespace hal::slurm
