// The CPU driver plugin's one exported symbol.
#include "backends/cpu/cpu_driver_table.h"
#include "hal/driver/hal_driver.h"

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* HAL_DRIVER_ENTRY_POINT(
    uint16_t runtime_abi_major, uint16_t /*runtime_abi_minor*/) {
  // Any minor version is served: struct_size tells the runtime what exists.
  if (runtime_abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) return nullptr;
  return &hal::cpu::CpuDriverTable();
}
