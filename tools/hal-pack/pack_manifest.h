// hal-pack's inputs: the kernel manifest (JSON) and --image specifications.
#ifndef HAL_TOOLS_HAL_PACK_PACK_MANIFEST_H_
#define HAL_TOOLS_HAL_PACK_PACK_MANIFEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hal/kernel_bundle.h"

namespace hal::pack {

// {"kernels": [{"name", "bindings", "push_constant_size", "workgroup_size": [x,y,z]}]}
absl::StatusOr<std::vector<KernelInfo>> ParseKernelManifest(const std::string& json_text,
                                                            const std::string& origin);

// "FORMAT=PATH" or "FORMAT@KERNEL=PATH"; reads the file at PATH.
absl::StatusOr<KernelImage> LoadImageSpec(const std::string& spec);

}  // namespace hal::pack

#endif  // HAL_TOOLS_HAL_PACK_PACK_MANIFEST_H_
