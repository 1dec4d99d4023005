// noop: does nothing; measures dispatch overhead and tests queue plumbing.
#include "hal/driver/hal_cpu_kernel.h"

HAL_CPU_KERNEL_SIGNATURE(noop, 0, 0, 1, 1, 1);

HAL_CPU_KERNEL(noop) { (void)dispatch; }
