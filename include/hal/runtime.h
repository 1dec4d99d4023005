// The entry point: finds drivers through their manifests, loads them, and
// lists the physical devices the selector keeps. Thread-safe. May be destroyed
// before the objects made from it: devices, buffers, queues, events and
// kernels keep their driver loaded and stay usable until they are released.
// Its PhysicalDevice and Driver pointers are valid only while it lives
// (Device::physical_device() stays valid as long as the Device).
//
// fork(): a child process does not get the drivers' threads, so the contexts
// it inherits cannot work there; every call on them (and on their buffers,
// queues, events) fails at once with Unavailable. In the child, exec (or
// posix_spawn instead of fork), or create a new Runtime there: its devices
// work (checked for the CPU driver; GPU vendor libraries such as CUDA do not
// support a child of a process that initialized them, so exec there). Leave
// the child with exec or _exit: releasing inherited objects may wait for
// threads the child does not have.
#ifndef HAL_RUNTIME_H_
#define HAL_RUNTIME_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/driver.h"
#include "hal/export.h"
#include "hal/physical_device.h"
#include "hal/selector.h"

namespace hal {

namespace internal {
class LoadedDriver;
}

struct RuntimeOptions {
  // Folders searched for driver manifests (*.json), before the defaults.
  std::vector<std::string> driver_paths;
  // Read HAL_DRIVER_PATH (':'-separated folders, searched first).
  bool use_driver_path_env = true;
  // Search the install's share/hal/drivers.d (found relative to libhal).
  bool use_default_driver_path = true;
  // Which devices to keep; unset: HAL_DEVICE_SELECTOR, or all if unset.
  std::optional<std::string> selector;
};

class HAL_API Runtime {
 public:
  // Fails only on bad options (InvalidArgument for a malformed selector). A
  // driver that fails to load is listed as unavailable, never an error here.
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(const RuntimeOptions& options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Every driver a manifest named, loaded or not, in discovery order.
  std::vector<const Driver*> drivers() const;
  // The selected devices of available drivers, by driver then index.
  std::vector<const PhysicalDevice*> devices() const;
  // By id ("cpu:0") or by selector term ("cpu:<uuid>"). NotFound otherwise.
  absl::StatusOr<const PhysicalDevice*> FindDevice(absl::string_view id) const;
  const DeviceSelector& selector() const { return selector_; }
  // Why terms of the selector matched no device, with what exists
  // (DeviceSelector::ExplainUnmatched); empty when every term matched.
  const std::vector<std::string>& unmatched_selector_terms() const { return unmatched_terms_; }
  // The folders searched for manifests, in order.
  const std::vector<std::string>& search_paths() const { return search_paths_; }

 private:
  Runtime() = default;
  DeviceSelector selector_;
  std::vector<std::string> search_paths_;
  std::vector<std::string> unmatched_terms_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::shared_ptr<internal::LoadedDriver>> loaded_;
  std::vector<std::shared_ptr<PhysicalDevice>> devices_;
};

}  // namespace hal

#endif  // HAL_RUNTIME_H_
