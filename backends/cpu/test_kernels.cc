// CPU kernels for hal_cpu_driver_abi_test, built as a "cpu-elf" image.
#include <sched.h>

#include <algorithm>
#include <cstdint>

#include "hal/driver/hal_cpu_kernel.h"

namespace {

struct ExpectedShape {
  uint32_t workgroup_size[3];
};

uint32_t* Binding(const hal_cpu_dispatch* dispatch, uint32_t index) {
  return static_cast<uint32_t*>(dispatch->bindings[index]);
}

}  // namespace

// Counts the visits of every workgroup: binding 0 holds one counter per
// workgroup of the grid (x fastest), binding 1 one counter of calls whose
// arguments were wrong (an id outside the grid, or a workgroup size, binding
// count or push-constant size other than the push constants announce).
HAL_CPU_KERNEL_SIGNATURE(hal_test_count_workgroups, 2, sizeof(ExpectedShape), 4, 2, 1);
HAL_CPU_KERNEL(hal_test_count_workgroups) {
  ExpectedShape expected{};
  bool valid = dispatch->binding_count == 2 && dispatch->push_constant_size == sizeof(expected);
  if (valid)
    std::copy_n(static_cast<const char*>(dispatch->push_constants), sizeof(expected),
                reinterpret_cast<char*>(&expected));
  for (int d = 0; d < 3; ++d) {
    valid = valid && dispatch->workgroup_id[d] < dispatch->workgroup_count[d] &&
            dispatch->workgroup_size[d] == expected.workgroup_size[d];
  }
  if (!valid) {
    __atomic_fetch_add(Binding(dispatch, 1), 1, __ATOMIC_RELAXED);
    return;
  }
  const uint32_t* id = dispatch->workgroup_id;
  const uint32_t* count = dispatch->workgroup_count;
  const uint64_t flat = id[0] + uint64_t{count[0]} * (id[1] + uint64_t{count[1]} * id[2]);
  __atomic_fetch_add(Binding(dispatch, 0) + flat, 1, __ATOMIC_RELAXED);
}

// y[i] = a * x[i] + y[i] over a 1-D grid, workgroup_size[0] elements per
// workgroup. Bindings: 0 = x, 1 = y (floats); push constants {float a;
// uint32_t n}.
HAL_CPU_KERNEL_SIGNATURE(hal_test_saxpy, 2, 8, 64, 1, 1);
HAL_CPU_KERNEL(hal_test_saxpy) {
  struct Constants {
    float a;
    uint32_t n;
  } constants{};
  std::copy_n(static_cast<const char*>(dispatch->push_constants), sizeof(constants),
              reinterpret_cast<char*>(&constants));
  const auto* x = static_cast<const float*>(dispatch->bindings[0]);
  auto* y = static_cast<float*>(dispatch->bindings[1]);
  const uint64_t begin = uint64_t{dispatch->workgroup_id[0]} * dispatch->workgroup_size[0];
  const uint64_t end = std::min<uint64_t>(begin + dispatch->workgroup_size[0], constants.n);
  for (uint64_t i = begin; i < end; ++i) y[i] = constants.a * x[i] + y[i];
}

// Holds its stream until the host stores a non-zero word to binding 0, so a
// test can keep work in flight for as long as it needs. Yields while it
// waits, so that it does not starve the test on a small machine.
HAL_CPU_KERNEL_SIGNATURE(hal_test_wait_for_flag, 1, 0, 1, 1, 1);
HAL_CPU_KERNEL(hal_test_wait_for_flag) {
  const uint32_t* flag = Binding(dispatch, 0);
  while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) sched_yield();
}

// Stores binding_sizes[i] (uint64_t) at element i of binding 0, for each of
// its 3 bindings.
HAL_CPU_KERNEL_SIGNATURE(hal_test_binding_sizes, 3, 0, 1, 1, 1);
HAL_CPU_KERNEL(hal_test_binding_sizes) {
  auto* out = static_cast<uint64_t*>(dispatch->bindings[0]);
  std::copy_n(dispatch->binding_sizes, dispatch->binding_count, out);
}

// Exported without HAL_CPU_KERNEL_SIGNATURE: the driver must refuse it.
HAL_CPU_KERNEL(hal_test_without_signature) { (void)dispatch; }
