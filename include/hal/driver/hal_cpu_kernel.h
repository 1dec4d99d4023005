/* The kernel ABI for CPU images (format "cpu-elf:<arch>").
 *
 * A CPU kernel image is a shared object exporting, per kernel, one C function
 *   extern "C" void name(const hal_cpu_dispatch* d);
 * and one hal_cpu_kernel_signature named HAL_CPU_KERNEL_SIGNATURE_PREFIX
 * followed by the kernel's name. The CPU driver calls the function once per
 * workgroup, possibly from several threads at once for different workgroups;
 * a kernel must not keep state between calls. Declare both with
 * HAL_CPU_KERNEL(name) and HAL_CPU_KERNEL_SIGNATURE(name, ...).
 *
 * The driver refuses a kernel whose signature is missing or differs from the
 * bundle's manifest (kernel_get: HAL_ERROR_INVALID_ARGUMENT), so a bundle
 * cannot hand a kernel fewer bindings or push-constant bytes than it reads.
 *
 * A CPU kernel is native code running with the process's rights: the ABI
 * tells a kernel how large its bindings are so that a correct kernel stays
 * inside them whatever sizes it is given, but nothing stops a hostile one.
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
  uint32_t workgroup_size[3]; /* the size the kernel declares in its bundle */
  void* const* bindings;      /* binding_count pointers, offsets applied */
  uint32_t binding_count;
  const void* push_constants; /* push_constant_size bytes */
  uint32_t push_constant_size;
  /* Driver ABI 1.2. binding_count sizes: the bytes from each binding's
   * offset to the end of its buffer. A kernel reads and writes
   * bindings[i][0, binding_sizes[i]) and nothing else. */
  const uint64_t* binding_sizes;
} hal_cpu_dispatch;

typedef void (*hal_cpu_kernel_fn)(const hal_cpu_dispatch* dispatch);

/* What a kernel declares about itself; the driver compares it with the
 * hal_kernel_signature of the bundle's manifest. */
typedef struct hal_cpu_kernel_signature {
  uint32_t struct_size; /* sizeof(hal_cpu_kernel_signature) as the image was built */
  uint32_t binding_count;
  uint32_t push_constant_size; /* the bytes the kernel reads from push_constants */
  uint32_t workgroup_size[3];
} hal_cpu_kernel_signature;

#define HAL_CPU_KERNEL_SIGNATURE_PREFIX "hal_cpu_signature_"

#ifdef __cplusplus
}  // extern "C"
#define HAL_CPU_EXTERN_C extern "C"
#else
#define HAL_CPU_EXTERN_C
#endif

#define HAL_CPU_KERNEL(name)                                         \
  HAL_CPU_EXTERN_C __attribute__((visibility("default"))) void name( \
      const hal_cpu_dispatch* dispatch)

/* e.g. HAL_CPU_KERNEL_SIGNATURE(saxpy_f32, 2, sizeof(PushConstants), 256, 1, 1); */
#define HAL_CPU_KERNEL_SIGNATURE(name, binding_count, push_constant_size, size_x, size_y, size_z) \
  HAL_CPU_EXTERN_C __attribute__((visibility("default"), used))                                   \
  const hal_cpu_kernel_signature hal_cpu_signature_##name = {sizeof(hal_cpu_kernel_signature),    \
                                                             (binding_count),                     \
                                                             (push_constant_size),                \
                                                             {(size_x), (size_y), (size_z)}}

#endif  // HAL_DRIVER_HAL_CPU_KERNEL_H_
