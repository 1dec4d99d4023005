// Reading an hsaco (what hipModuleLoadData is given): a clang offload bundle
// ("__CLANG_OFFLOAD_BUNDLE__", one entry per target such as
// "hipv4-amdgcn-amd-amdhsa--gfx90a:xnack-") or a bare AMDGPU code object
// (an EM_AMDGPU ELF). From the code object: its target (amdhsa.target) and
// each kernel's explicit argument layout (offset, size; hidden_* arguments
// are the runtime's) from the NT_AMDGPU_METADATA note (msgpack, code object
// v3 to v5), cross-checked against the kernel descriptor (<kernel>.kd in the
// symbol table, whose kernarg_size must agree). Hostile input: every read is
// bounds-checked; anything malformed is InvalidArgument naming what.
#ifndef HAL_BACKENDS_GPU_CORE_HSACO_H_
#define HAL_BACKENDS_GPU_CORE_HSACO_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "backends/gpu_core/kernel_param_layout.h"

namespace hal::gpu {

bool LooksLikeOffloadBundle(const void* image);

// The extent of an offload bundle known only by its start, as ElfImageSize
// for an ELF; refuses extents beyond `limit`.
absl::StatusOr<size_t> OffloadBundleSize(const uint8_t* image, size_t limit);

struct OffloadEntry {
  std::string triple;  // "hipv4-amdgcn-amd-amdhsa--gfx90a", "host-x86_64-unknown-linux"
  absl::Span<const uint8_t> bytes;
};
absl::StatusOr<std::vector<OffloadEntry>> ReadOffloadBundle(absl::Span<const uint8_t> bundle);

// Whether code for target ID `target` ("gfx90a", "gfx90a:xnack-") runs on a
// device whose gcnArchName is `device` ("gfx90a:sramecc+:xnack-"): the same
// processor, and every feature the target fixes (+ or -) set alike on the
// device; a feature the target leaves out means "any".
bool TargetRunsOn(absl::string_view target, absl::string_view device);

// The code object of `image` (a bundle or a bare code object) for the device
// named `device` (gcnArchName). NotFound, listing the targets there are, when
// none runs on it.
absl::StatusOr<absl::Span<const uint8_t>> CodeObjectFor(absl::Span<const uint8_t> image,
                                                        absl::string_view device);

struct CodeObjectMetadata {
  std::string target;  // amdhsa.target's target ID: "gfx90a", "gfx90a:xnack-"
  std::map<std::string, KernelParamLayout> kernels;
};
absl::StatusOr<CodeObjectMetadata> ReadCodeObject(absl::Span<const uint8_t> code_object);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_HSACO_H_
