// A kernel's parameter layout as its device image's own metadata declares it
// (an hsaco's .args, a cubin's .nv.info): what the HIP driver checks a
// bundle's signature against, and what a fake vendor library checks a
// launch's packed arguments against.
#ifndef HAL_BACKENDS_GPU_CORE_KERNEL_PARAM_LAYOUT_H_
#define HAL_BACKENDS_GPU_CORE_KERNEL_PARAM_LAYOUT_H_

#include <cstdint>
#include <vector>

namespace hal::gpu {

struct KernelParam {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// A kernel's parameters in ordinal order, as its device image declares them.
struct KernelParamLayout {
  std::vector<KernelParam> params;
  uint32_t total_size = 0;  // bytes of the whole parameter block
  // The most threads per block the image declares (its launch bounds);
  // 0 when it declares none.
  uint32_t max_threads_per_block = 0;
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_KERNEL_PARAM_LAYOUT_H_
