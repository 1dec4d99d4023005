// The SPEC of `srun --hal-vd=SPEC` (and of the plugstack.conf `defaults=`
// argument): comma-separated KEY=VALUE pairs, e.g.
//   mem=4GiB,share=0.5,vendor=NVIDIA,format=spirv-vulkan,priority=1
//
//   mem=SIZE        memory quota (required): bytes, or with a binary suffix
//                   K|KiB, M|MiB, G|GiB, T|TiB (as Slurm's --mem: 1G = 2^30)
//   share=FRACTION  compute share of the device, in (0, 1] (default 1)
//   vendor=NAME     only a device of this vendor (exact, as hal-info shows it)
//   prefer=NAME     a device of this vendor first, others if none fits
//   format=FORMAT   only a device that takes this kernel format ("spirv-vulkan")
//   device=ID       only this device of hald's pool ("cuda:0", as hal-info
//                   --pool lists it)
//   priority=INT    larger is kept resident first under memory pressure
#ifndef HAL_INTEGRATIONS_SLURM_VD_SPEC_H_
#define HAL_INTEGRATIONS_SLURM_VD_SPEC_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/remote/protocol/admin_requests.h"

namespace hal::slurm {

// Sets the fields `spec` names in `request`, leaving the others as they are
// (so a user's SPEC overrides the plugin's defaults key by key).
// InvalidArgument naming the pair and what is wrong with it: an unknown or
// repeated key, a missing "=", an empty or malformed value, a value out of
// range. `request` is unchanged on error.
absl::Status ApplyVirtualDeviceSpec(absl::string_view spec, remote::VirtualDeviceRequest& request);

// `defaults` with `spec` applied; InvalidArgument as above, and when the
// result has no memory quota ("mem=" is required).
absl::StatusOr<remote::VirtualDeviceRequest> ParseVirtualDeviceSpec(
    absl::string_view spec, const remote::VirtualDeviceRequest& defaults);

}  // namespace hal::slurm

#endif  // HAL_INTEGRATIONS_SLURM_VD_SPEC_H_
