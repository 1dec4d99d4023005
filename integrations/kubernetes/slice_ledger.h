// Which virtual device holds which slices of one physical device: the
// plugin's own record of what it created through hald, rebuilt from hald's
// status (owner strings) when the plugin restarts. Not thread-safe: its
// owner serializes calls. Talks to nothing, so a DRA plugin can reuse it.
#ifndef HAL_INTEGRATIONS_KUBERNETES_SLICE_LEDGER_H_
#define HAL_INTEGRATIONS_KUBERNETES_SLICE_LEDGER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hal::kubernetes {

class SliceLedger {
 public:
  struct Holding {
    std::set<int> slices;
    absl::Time since;  // when it was created (or found, after a restart)
  };

  // Records that `virtual_device` holds `slices` (not empty) from `since`.
  // AlreadyExists for a name already recorded, FailedPrecondition naming the
  // holder when another virtual device holds one of the slices; nothing
  // changes then.
  absl::Status Assign(const std::string& virtual_device, const std::set<int>& slices,
                      absl::Time since);
  // Forgets it; NotFound for a name not recorded.
  absl::Status Release(absl::string_view virtual_device);

  // The virtual devices holding any of `slices`, by name.
  std::vector<std::string> HoldersOf(const std::set<int>& slices) const;
  // The virtual devices holding none of `in_use` and held since before
  // `held_before` (younger ones may belong to a container the kubelet has not
  // listed yet), by name.
  std::vector<std::string> Unused(const std::set<int>& in_use, absl::Time held_before) const;

  const std::map<std::string, Holding, std::less<>>& holdings() const { return holdings_; }

 private:
  std::map<std::string, Holding, std::less<>> holdings_;
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_SLICE_LEDGER_H_
