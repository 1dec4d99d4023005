/* The kernel ABI for CPU images (format "cpu-elf:<arch>").
 *
 * A CPU kernel image is a shared object exporting one C function per kernel:
 *   extern "C" void name(const hal_cpu_dispatch* d);
 * The CPU driver calls it once per workgroup, possibly from several threads at
 * once for different workgroups; a kernel must not keep state between calls.
 * Use HAL_CPU_KERNEL(name) to declare one with the right linkage and
 * visibility.
 */
#ifndef HAL_DRIVER_HAL_CPU_KERNEL_H_
#define HAL_DRIVER_HAL_CPU_KERNEL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hal_cpu_dispatch {
  uint32_t workgroup_id[3];
  uint32_t workgroup_count[3];
  uint32_t workgroup_size[3];   /* the size the kernel declares in its bundle */
  void* const* bindings;        /* binding_count pointers, offsets applied */
  uint32_t binding_count;
  const void* push_constants;   /* push_constant_size bytes */
  uint32_t push_constant_size;
} hal_cpu_dispatch;

typedef void (*hal_cpu_kernel_fn)(const hal_cpu_dispatch* dispatch);

#ifdef __cplusplus
}  // extern "C"
#define HAL_CPU_KERNEL(name) \
  extern "C" __attribute__((visibility("default"))) void name(const hal_cpu_dispatch* dispatch)
#else
#define HAL_CPU_KERNEL(name) \
  __attribute__((visibility("default"))) void name(const hal_cpu_dispatch* dispatch)
#endif

#endif  // HAL_DRIVER_HAL_CPU_KERNEL_H_
