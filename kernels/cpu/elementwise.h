// The element range of workgroup x of a 1-D elementwise kernel: workgroup w
// covers [w * size, min(n, (w + 1) * size)).
#ifndef HAL_KERNELS_CPU_ELEMENTWISE_H_
#define HAL_KERNELS_CPU_ELEMENTWISE_H_

#include <algorithm>
#include <cstdint>

#include "hal/driver/hal_cpu_kernel.h"

namespace hal::kernels {

struct ElementRange {
  uint64_t begin;
  uint64_t end;
};

inline ElementRange WorkgroupRange(const hal_cpu_dispatch* d, uint32_t n) {
  const uint64_t size = d->workgroup_size[0];
  const uint64_t begin = std::min<uint64_t>(uint64_t{d->workgroup_id[0]} * size, n);
  return {begin, std::min<uint64_t>(begin + size, n)};
}

template <typename PushConstants>
PushConstants LoadPushConstants(const hal_cpu_dispatch* d) {
  PushConstants pc;
  __builtin_memcpy(&pc, d->push_constants, sizeof(pc));
  return pc;
}

}  // namespace hal::kernels

#endif  // HAL_KERNELS_CPU_ELEMENTWISE_H_
