// What the standard CPU kernels share: the grid's linear workgroup index, the
// element range of a workgroup, and the bounds of their bindings.
//
// Workgroups are numbered x fastest, then y, then z, so a 1-D range larger
// than one grid dimension allows is dispatched as a 2-D or 3-D grid
// (kernels/README.md). An element that a binding does not hold is skipped:
// no kernel reads or writes outside its bindings, whatever n it is given.
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

inline uint64_t LinearWorkgroup(const hal_cpu_dispatch* d) {
  const uint32_t* id = d->workgroup_id;
  const uint32_t* count = d->workgroup_count;
  return id[0] + uint64_t{count[0]} * (id[1] + uint64_t{count[1]} * id[2]);
}

// The elements of type T that binding `index` holds.
template <typename T>
uint64_t BindingElements(const hal_cpu_dispatch* d, uint32_t index) {
  return d->binding_sizes[index] / sizeof(T);
}

// min(n, elements of type T every binding holds).
template <typename T>
uint64_t ElementsInAllBindings(const hal_cpu_dispatch* d, uint64_t n) {
  for (uint32_t i = 0; i < d->binding_count; ++i) n = std::min(n, BindingElements<T>(d, i));
  return n;
}

// Workgroup w covers [w * size, min(n, (w + 1) * size)).
inline ElementRange WorkgroupRange(const hal_cpu_dispatch* d, uint64_t n) {
  const uint64_t size = d->workgroup_size[0];
  const uint64_t begin = std::min(LinearWorkgroup(d) * size, n);
  return {begin, std::min(begin + size, n)};
}

// The driver checked at kernel_get that the kernel's declared push-constant
// size, sizeof(PushConstants), is what the bundle passes.
template <typename PushConstants>
PushConstants LoadPushConstants(const hal_cpu_dispatch* d) {
  PushConstants pc;
  __builtin_memcpy(&pc, d->push_constants, sizeof(pc));
  return pc;
}

}  // namespace hal::kernels

#endif  // HAL_KERNELS_CPU_ELEMENTWISE_H_
