// What a GLCompute entry point of a SPIR-V image declares of the kernel ABI:
// its workgroup size, the descriptor bindings it uses and the size of its
// push-constant block, read from the instruction stream. kernel_get compares
// them with the kernel's signature, so that a bundle whose manifest disagrees
// with its image is refused with HAL_ERROR_INVALID_ARGUMENT instead of
// running with the wrong workgroup size or reading descriptors it was never
// given (which Vulkan leaves undefined).
#ifndef HAL_BACKENDS_VULKAN_SPIRV_INTERFACE_H_
#define HAL_BACKENDS_VULKAN_SPIRV_INTERFACE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

struct EntryPointInterface {
  std::string name;
  // Unset when given by specialization constants (LocalSizeId).
  std::optional<std::array<uint32_t, 3>> workgroup_size;
  // (descriptor set, binding) of every resource variable it uses. Unset when
  // that cannot be told: images older than SPIR-V 1.4 list only inputs and
  // outputs in the entry point, so a module of several entry points is not
  // checked.
  std::optional<std::vector<std::pair<uint32_t, uint32_t>>> bindings;
  // Bytes of its push-constant block (the end of its last member); 0 without
  // one; unset when the block holds types whose size is not read here.
  std::optional<uint32_t> push_constant_size;
};

// The GLCompute entry points of `words` (a whole SPIR-V image, header
// included); false when the instruction stream is malformed.
bool ReadComputeEntryPoints(const std::vector<uint32_t>& words,
                            std::vector<EntryPointInterface>* out_entry_points);

// Empty when `signature` can run `entry_point`, else why not.
std::string CheckSignature(const EntryPointInterface& entry_point,
                           const hal_kernel_signature& signature);

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_SPIRV_INTERFACE_H_
