// SPIR-V kernel images checked before any driver sees them. A driver such as
// lavapipe trusts its input: a module that breaks the SPIR-V rules, or one
// whose entry point wants more than the kernel's signature gives it, crashes
// the process instead of failing. Two checks, plain C++ so that the runtime and
// every driver taking SPIR-V (Vulkan now; OpenCL and Level Zero later) share
// them:
//  - ValidateSpirv: SPIRV-Tools' validator, for the target environment;
//  - ReadComputeEntryPoints + CheckSignature: what a GLCompute entry point
//    declares of the kernel ABI (workgroup size, descriptor bindings, push
//    constants), read from the instruction stream, against the signature;
//  - ReadKernelEntryPoints + CheckKernelEntryPoint: the same for an OpenCL
//    kernel (execution model Kernel: its name, reqd_work_group_size and
//    argument count).
#ifndef HAL_RUNTIME_SPIRV_INTERFACE_H_
#define HAL_RUNTIME_SPIRV_INTERFACE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hal/driver/hal_driver.h"

namespace hal::spirv {

// The SPIR-V rules an image of `format` must follow: "spirv-vulkan" images
// are for Vulkan 1.2 (SPIR-V up to 1.5); "spirv-opencl" for OpenCL 1.2.
// Unset for formats that are not SPIR-V.
enum class Target { kVulkan1_2, kOpenCl1_2 };
std::optional<Target> TargetOfFormat(const std::string& format);

// Empty when `size` bytes at `image` are a valid SPIR-V module for `target`,
// else the validator's complaint (with the instruction it is about).
std::string ValidateSpirv(const void* image, size_t size, Target target);

struct Resource {
  uint32_t set = 0;
  uint32_t binding = 0;
  // Empty for a single storage buffer (what the kernel ABI binds), else what
  // it is instead ("a uniform buffer", "an array of 4 descriptors", ...).
  std::string other_kind;
};

struct EntryPointInterface {
  std::string name;
  // From a WorkgroupSize built-in, else LocalSizeId, else LocalSize; unset
  // when the module declares none.
  std::optional<std::array<uint32_t, 3>> workgroup_size;
  // Every descriptor the entry point's call tree uses.
  std::vector<Resource> resources;
  // Bytes of its push-constant block (the end of its last member); 0 without
  // one; unset when the block holds a type whose size is not read here.
  std::optional<uint32_t> push_constant_size;
};

// The GLCompute entry points of a SPIR-V module (header included); false
// when the instruction stream is malformed.
bool ReadComputeEntryPoints(const std::vector<uint32_t>& words,
                            std::vector<EntryPointInterface>* out_entry_points);

// The entry point a kernel named `name` runs: the GLCompute entry point of
// that name, else the only one. Null when neither exists, with why in `error`.
const EntryPointInterface* FindEntryPoint(const std::vector<EntryPointInterface>& entry_points,
                                          const std::string& name, std::string* error);

// Empty when `signature` can run `entry_point`, else why not.
std::string CheckSignature(const EntryPointInterface& entry_point,
                           const hal_kernel_signature& signature);

// An OpenCL kernel of a SPIR-V module: what the kernel ABI in OpenCL
// (bindings as __global pointers, then one by-value push-constant struct)
// can be checked against without sizing the struct's OpenCL layout.
struct KernelEntryPoint {
  std::string name;
  // Its LocalSize (reqd_work_group_size); unset when it declares none, and
  // the driver then dispatches the kernel's declared workgroup size.
  std::optional<std::array<uint32_t, 3>> workgroup_size;
  uint32_t parameter_count = 0;
};

// The Kernel entry points of a SPIR-V module (header included); false when
// the instruction stream is malformed.
bool ReadKernelEntryPoints(const std::vector<uint32_t>& words,
                           std::vector<KernelEntryPoint>* out_entry_points);

// Empty when `signature` can run the OpenCL kernel `name` of
// `entry_points`, else why not: the kernel is missing (an OpenCL or Level
// Zero driver finds it by name only), requires another workgroup size, or
// takes other than one argument per binding plus one for push constants.
std::string CheckKernelEntryPoint(const std::vector<KernelEntryPoint>& entry_points,
                                  const std::string& name, const hal_kernel_signature& signature);

}  // namespace hal::spirv

#endif  // HAL_RUNTIME_SPIRV_INTERFACE_H_
