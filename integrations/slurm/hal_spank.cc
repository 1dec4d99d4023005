// hal_spank.so: the SPANK plugin that gives a Slurm job step a virtual device
// of the node's hald (README.md). `srun --hal-vd=SPEC` is checked where it is
// given (srun, sbatch, salloc); in slurmstepd (the remote context, as root,
// before the tasks start) init_post_opt creates the virtual device and puts
// what the tasks need in their environment; exit destroys it. slurmstepd
// keeps the connection that created it for the step's life, so a killed
// slurmstepd leaves nothing behind either (hald's lease).
#include <slurm/slurm.h>
// spank.h declares the callbacks outside its own extern "C" block.
extern "C" {
#include <slurm/spank.h>
}

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "integrations/slurm/plugin_config.h"
#include "integrations/slurm/step_device.h"
#include "integrations/slurm/vd_spec.h"

#define HAL_SPANK_EXPORT extern "C" __attribute__((visibility("default")))

HAL_SPANK_EXPORT const char plugin_name[] = "hal";
HAL_SPANK_EXPORT const char plugin_type[] = "spank";
HAL_SPANK_EXPORT const unsigned int plugin_version = SLURM_VERSION_NUMBER;
HAL_SPANK_EXPORT const unsigned int spank_plugin_version = 1;

namespace {

// One plugin instance per process, its callbacks called one at a time.
std::optional<hal::slurm::PluginConfig> config;
std::optional<std::string> step_spec;  // --hal-vd's SPEC, when given
std::optional<hal::slurm::StepVirtualDevice> step_device;
std::optional<std::string> step_failure;  // why the step got no virtual device

int OnHalVdOption(int /*val*/, const char* spec, int /*remote*/) {
  if (spec == nullptr || !config.has_value()) return -1;
  absl::StatusOr<hal::remote::VirtualDeviceRequest> request =
      hal::slurm::ParseVirtualDeviceSpec(spec, config->defaults);
  if (!request.ok()) {
    slurm_error("--hal-vd: %s", std::string(request.status().message()).c_str());
    return -1;
  }
  step_spec = spec;
  return 0;
}

spank_option hal_vd_option = {
    const_cast<char*>("hal-vd"), const_cast<char*>("SPEC"),
    const_cast<char*>("a virtual device of the node's hald for each step: "
                      "mem=SIZE[,share=F][,vendor=V][,prefer=V][,format=F][,priority=N]"),
    1, 0, OnHalVdOption};

template <typename T>
bool GetItem(spank_t spank, spank_item_t item, T& value) {
  return spank_get_item(spank, item, &value) == ESPANK_SUCCESS;
}

}  // namespace

HAL_SPANK_EXPORT int slurm_spank_init(spank_t spank, int argc, char** argv) {
  absl::StatusOr<hal::slurm::PluginConfig> parsed =
      hal::slurm::ParsePluginArguments(std::vector<std::string>(argv, argv + argc));
  if (!parsed.ok()) {
    slurm_error("%s", std::string(parsed.status().message()).c_str());
    return -1;
  }
  config = *std::move(parsed);
  if (spank_option_register(spank, &hal_vd_option) != ESPANK_SUCCESS) {
    slurm_error("hal_spank: cannot register --hal-vd");
    return -1;
  }
  return 0;
}

// In slurmstepd, as root, after the options are known and before the tasks
// are forked: their environment is still the step's.
HAL_SPANK_EXPORT int slurm_spank_init_post_opt(spank_t spank, int /*argc*/, char** /*argv*/) {
  if (!spank_remote(spank) || !step_spec.has_value()) return 0;
  hal::slurm::JobStep step;
  if (!GetItem(spank, S_JOB_ID, step.job_id) || !GetItem(spank, S_JOB_STEPID, step.step_id)) {
    slurm_error("hal_spank: cannot read the job step's id");
    return -1;
  }
  // The extern step (PrologFlags=contain) runs no task of the user.
  if (step.step_id == SLURM_EXTERN_CONT) return 0;
  absl::StatusOr<hal::remote::VirtualDeviceRequest> request =
      hal::slurm::ParseVirtualDeviceSpec(*step_spec, config->defaults);
  absl::StatusOr<hal::slurm::StepVirtualDevice> device =
      request.ok() ? hal::slurm::StepVirtualDevice::Create(*config, step, *std::move(request))
                   : absl::StatusOr<hal::slurm::StepVirtualDevice>(request.status());
  if (!device.ok()) {
    step_failure = absl::StrCat("hal_spank: step ", hal::slurm::StepLabel(step),
                                " gets no virtual device: ", device.status().ToString());
    slurm_error("%s", step_failure->c_str());
    return 0;  // each task fails in task_init, saying why on the job's stderr
  }
  step_device = *std::move(device);  // exit() destroys it, also if what follows fails
  for (const auto& [name, value] : step_device->TaskEnvironment()) {
    if (spank_setenv(spank, name.c_str(), value.c_str(), 1) != ESPANK_SUCCESS) {
      slurm_error("hal_spank: cannot set %s in the step's environment", name.c_str());
      return -1;
    }
  }
  slurm_info("hal_spank: step %s has virtual device %s on %s",
             hal::slurm::StepLabel(step).c_str(), step_device->created().name.c_str(),
             step_device->created().physical_device.c_str());
  return 0;
}

// In each task, as the job's user, just before exec: its stderr is the job's.
// A step whose virtual device could not be made fails here, with hald's
// reason where the user looks (slurmstepd's own errors reach only slurmd's
// log; srun would say just "Plugin initialization failed").
HAL_SPANK_EXPORT int slurm_spank_task_init(spank_t /*spank*/, int /*argc*/, char** /*argv*/) {
  if (!step_failure.has_value()) return 0;
  std::fprintf(stderr, "%s\n", step_failure->c_str());
  return -1;
}

HAL_SPANK_EXPORT int slurm_spank_exit(spank_t spank, int /*argc*/, char** /*argv*/) {
  if (!spank_remote(spank) || !step_device.has_value()) return 0;
  absl::Status destroyed = step_device->Destroy();
  step_device.reset();  // closes the connection: hald ends the lease if Destroy failed
  if (!destroyed.ok()) {
    slurm_error("hal_spank: %s", destroyed.ToString().c_str());
    return -1;
  }
  return 0;
}
