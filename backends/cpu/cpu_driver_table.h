// The CPU driver's function table, apart from the entry point that exports
// it (cpu_driver_entry.cc), so that a test-only driver built from the same
// objects (tests/fake_drivers/broken_driver.cc) can export a changed copy.
#ifndef HAL_BACKENDS_CPU_CPU_DRIVER_TABLE_H_
#define HAL_BACKENDS_CPU_CPU_DRIVER_TABLE_H_

#include "hal/driver/hal_driver.h"

namespace hal::cpu {

// The table of the "cpu" driver; static, valid for the life of the library.
const hal_driver_table& CpuDriverTable();

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_DRIVER_TABLE_H_
