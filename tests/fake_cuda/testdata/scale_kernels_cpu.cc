// CPU twins of scale_kernels.cu (kernel ABI: hal/driver/hal_cpu_kernel.h).
#include <cstdint>

#include "hal/driver/hal_cpu_kernel.h"

namespace {
struct ScaleConstants {
  float factor;
  uint32_t count;
  uint32_t unused;
};
}  // namespace

HAL_CPU_KERNEL_SIGNATURE(scale_f32, 2, sizeof(ScaleConstants), 64, 1, 1);
HAL_CPU_KERNEL(scale_f32) {
  const auto* constants = static_cast<const ScaleConstants*>(dispatch->push_constants);
  const auto* x = static_cast<const float*>(dispatch->bindings[0]);
  auto* y = static_cast<float*>(dispatch->bindings[1]);
  const uint64_t limit = dispatch->binding_sizes[0] / sizeof(float) < dispatch->binding_sizes[1] / sizeof(float)
                             ? dispatch->binding_sizes[0] / sizeof(float)
                             : dispatch->binding_sizes[1] / sizeof(float);
  for (uint32_t t = 0; t < dispatch->workgroup_size[0]; ++t) {
    const uint64_t i = uint64_t{dispatch->workgroup_id[0]} * dispatch->workgroup_size[0] + t;
    if (i < constants->count && i < limit) y[i] = constants->factor * x[i];
  }
}

HAL_CPU_KERNEL_SIGNATURE(increment_u32, 1, 0, 32, 1, 1);
HAL_CPU_KERNEL(increment_u32) {
  auto* data = static_cast<uint32_t*>(dispatch->bindings[0]);
  const uint64_t limit = dispatch->binding_sizes[0] / sizeof(uint32_t);
  for (uint32_t t = 0; t < dispatch->workgroup_size[0]; ++t) {
    const uint64_t i = uint64_t{dispatch->workgroup_id[0]} * dispatch->workgroup_size[0] + t;
    if (i < limit) data[i] += 1;
  }
}
