#include "backends/gpu_core/launch_arguments.h"

#include <cstring>

namespace hal::gpu {

LaunchArguments::LaunchArguments(const uint64_t* binding_addresses, uint32_t binding_count,
                                 const void* push_constants, uint32_t push_constant_size) {
  for (uint32_t i = 0; i < binding_count; ++i) {
    pointers_[i] = binding_addresses[i];
    params_[count_++] = &pointers_[i];
  }
  if (push_constant_size > 0) {
    std::memcpy(push_constants_.data(), push_constants, push_constant_size);
    params_[count_++] = push_constants_.data();
  }
}

}  // namespace hal::gpu
