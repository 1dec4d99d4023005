// The entry point: finds drivers through their manifests, loads them, and
// lists the physical devices the selector keeps. Thread-safe. Must outlive
// every object made from it (devices, buffers, queues, events, kernels).
#ifndef HAL_RUNTIME_H_
#define HAL_RUNTIME_H_

#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "hal/driver.h"
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

class Runtime {
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
  // The folders searched for manifests, in order.
  const std::vector<std::string>& search_paths() const { return search_paths_; }

 private:
  Runtime() = default;
  DeviceSelector selector_;
  std::vector<std::string> search_paths_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::shared_ptr<internal::LoadedDriver>> loaded_;
  std::vector<std::unique_ptr<PhysicalDevice>> devices_;
};

}  // namespace hal

#endif  // HAL_RUNTIME_H_
