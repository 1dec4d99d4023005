// Which kernel image formats a GPU runs, from its architecture name. NVIDIA:
// a cubin runs on a device of the same major compute capability and a minor
// not above the device's; PTX is JIT-compiled for any device newer than its
// target (the standard bundle's PTX targets compute_75). AMD's gfx names
// (with feature suffixes such as ":sramecc+:xnack-") get their own rule when
// the HIP driver arrives.
#ifndef HAL_BACKENDS_GPU_CORE_IMAGE_FORMATS_H_
#define HAL_BACKENDS_GPU_CORE_IMAGE_FORMATS_H_

#include <string>
#include <string_view>

namespace hal::gpu {

// "sm_89" -> "cubin:sm_89,cubin:sm_87,cubin:sm_86,cubin:sm_80,ptx": the
// device's own cubin first, then the released architectures of its major
// with a lower minor, best (highest) first, then ptx. "" for a name that is
// not "sm_<major><minor>".
std::string NvidiaKernelFormats(std::string_view architecture);

// The processor of an AMD target ID: "gfx90a:sramecc+:xnack-" -> "gfx90a".
// "" when `target_id` is not "gfx<digits and a-f>" followed by features
// each ":<name>+" or ":<name>-".
std::string AmdProcessor(std::string_view target_id);

// The hsaco formats a device of target ID `target_id` runs, most specific
// first, as the HIP runtime matches a code object to a device: a feature the
// code object leaves unset matches either setting, a set one only the same.
// "gfx90a:sramecc+:xnack-" -> "hsaco:gfx90a:sramecc+:xnack-,
// hsaco:gfx90a:sramecc+,hsaco:gfx90a:xnack-,hsaco:gfx90a" (one string, no
// spaces). "" for a malformed target ID.
std::string AmdKernelFormats(std::string_view target_id);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_IMAGE_FORMATS_H_
