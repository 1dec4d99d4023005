// The virtual device of one Slurm job step: created in hald when the step
// starts on the node, held (with the connection that created it, a lease)
// for the step's life, destroyed when it ends. If slurmstepd dies, the
// connection closes and hald destroys the virtual device itself.
#ifndef HAL_INTEGRATIONS_SLURM_STEP_DEVICE_H_
#define HAL_INTEGRATIONS_SLURM_STEP_DEVICE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/remote/protocol/admin_requests.h"
#include "backends/remote/protocol/daemon_client.h"
#include "integrations/slurm/plugin_config.h"

namespace hal::slurm {

struct JobStep {
  uint32_t job_id = 0;
  uint32_t step_id = 0;  // or Slurm's SLURM_BATCH_SCRIPT, SLURM_INTERACTIVE_STEP, ...
};

// "42.0", "42.batch", "42.interactive", "42.extern": as Slurm writes steps.
std::string StepLabel(const JobStep& step);

class StepVirtualDevice {
 public:
  // Connects to hald at config.endpoint (as the plugin's user: root in
  // slurmstepd) and creates virtual device "slurm-<job>.<step>" of `request`
  // with a lease and owner "slurm job <job>.<step>"; only holders of its
  // token may attach (TaskEnvironment). Errors are DaemonClient's and
  // CreateVirtualDevice's (hald's message), prefixed with the device's name.
  static absl::StatusOr<StepVirtualDevice> Create(const PluginConfig& config, const JobStep& step,
                                                  remote::VirtualDeviceRequest request);

  StepVirtualDevice(StepVirtualDevice&&) noexcept = default;
  StepVirtualDevice& operator=(StepVirtualDevice&&) noexcept = default;

  // What the step's tasks need to use it as remote:0, as (name, value):
  // HAL_REMOTE_ENDPOINT, HAL_REMOTE_TOKEN, HAL_VIRTUAL_DEVICE (its name) and
  // HAL_DEVICE_SELECTOR=remote:0 (local devices are not the job's to use).
  std::vector<std::pair<std::string, std::string>> TaskEnvironment() const;

  const remote::CreatedVirtualDevice& created() const { return created_; }

  // Destroys it in hald, ending the sessions still attached. Errors are
  // DestroyVirtualDevice's; the lease still ends it when this object (and
  // with it the connection) goes.
  absl::Status Destroy();

 private:
  StepVirtualDevice(remote::DaemonClient daemon, remote::CreatedVirtualDevice created)
      : daemon_(std::move(daemon)), created_(std::move(created)) {}

  remote::DaemonClient daemon_;
  remote::CreatedVirtualDevice created_;
};

}  // namespace hal::slurm

#endif  // HAL_INTEGRATIONS_SLURM_STEP_DEVICE_H_
