// noop: does nothing; measures dispatch overhead and tests queue plumbing.
#include "hal/driver/hal_cpu_kernel.h"

HAL_CPU_KERNEL(noop) { (void)dispatch; }
