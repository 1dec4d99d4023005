// A deliberately broken driver plugin for loader tests. One source, built
// several times with a define choosing the defect, so each loader refusal
// path is exercised by a real shared library:
//   FAKE_ABI_MAJOR=<n>      the table claims another ABI major version
//   FAKE_REFUSE_RUNTIME     the entry point returns no table
//   FAKE_INIT_FAILS         initialize() reports the vendor library missing
//   FAKE_NO_DEVICES         a healthy driver with no devices
//   FAKE_UNUSABLE_DEVICE    no devices it serves, one it found and does not (ABI 1.1)
//   FAKE_ABI_1_0            a driver built against ABI 1.0: a table that ends at
//                           kernel_get (the bytes after it must not be read)
#include <cstddef>
#include <cstring>

#include "hal/driver/hal_driver.h"

#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR HAL_DRIVER_ABI_VERSION_MAJOR
#endif

namespace {

const char* LastError() { return "libfakevendor.so.1: cannot open shared object file"; }

hal_result Initialize() {
#ifdef FAKE_INIT_FAILS
  return HAL_ERROR_UNAVAILABLE;
#else
  return HAL_SUCCESS;
#endif
}

void Shutdown() {}

hal_result DeviceCount(uint32_t* count) {
  *count = 0;
  return HAL_SUCCESS;
}

hal_result KernelGet(hal_drv_module*, const char*, const hal_kernel_signature*, hal_drv_kernel**) {
  return HAL_ERROR_NOT_FOUND;
}

uint32_t UnusableDeviceCount() { return 1; }

void UnusableDeviceGet(uint32_t, const char** name, const char** reason) {
  *name = "Fake GPU 9000";
  *reason = "supports FakeAPI 1.1, below the required 2.0";
}

hal_driver_table MakeTable() {
  hal_driver_table table;
  std::memset(&table, 0, sizeof(table));
  table.struct_size = sizeof(table);
  table.abi_major = FAKE_ABI_MAJOR;
  table.abi_minor = HAL_DRIVER_ABI_VERSION_MINOR;
  table.name = FAKE_DRIVER_NAME;
  table.version = "fake-1";
  table.initialize = Initialize;
  table.shutdown = Shutdown;
  table.last_error_message = LastError;
  table.device_count = DeviceCount;
  table.kernel_get = KernelGet;
#if defined(FAKE_UNUSABLE_DEVICE) || defined(FAKE_ABI_1_0)
  table.unusable_device_count = UnusableDeviceCount;
  table.unusable_device_get = UnusableDeviceGet;
#endif
#ifdef FAKE_ABI_1_0
  // Functions of 1.1 are present in memory but outside the declared table.
  table.struct_size = offsetof(hal_driver_table, kernel_get) + sizeof(table.kernel_get);
  table.abi_minor = 0;
#endif
  return table;
}

const hal_driver_table kTable = MakeTable();

}  // namespace

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* hal_driver_get_table(uint16_t, uint16_t) {
#ifdef FAKE_REFUSE_RUNTIME
  return nullptr;
#else
  return &kTable;
#endif
}
