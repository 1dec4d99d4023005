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
//   FAKE_NULL_ENTRY         a table whose event_create is NULL
//   FAKE_NO_MESSAGE         initialize() fails and last_error_message() returns
//                           NULL, against the ABI's "never NULL"
//   FAKE_DEVICE_COUNT_FAILS device_count() fails, with no message either
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "hal/driver/hal_driver.h"

#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR HAL_DRIVER_ABI_VERSION_MAJOR
#endif

namespace {

const char* LastError() {
#if defined(FAKE_NO_MESSAGE) || defined(FAKE_DEVICE_COUNT_FAILS)
  return nullptr;
#else
  return "libfakevendor.so.1: cannot open shared object file";
#endif
}

hal_result Initialize() {
#if defined(FAKE_INIT_FAILS) || defined(FAKE_NO_MESSAGE)
  return HAL_ERROR_UNAVAILABLE;
#else
  return HAL_SUCCESS;
#endif
}

void Shutdown() {}

hal_result DeviceCount(uint32_t* count) {
  *count = 0;
#ifdef FAKE_DEVICE_COUNT_FAILS
  return HAL_ERROR_INTERNAL;
#else
  return HAL_SUCCESS;
#endif
}

// Fills every entry the runtime requires, so that a variant's one defect is
// the only reason the loader could refuse it. With no devices, none is called.
template <typename Fn>
struct Unsupported;
template <typename R, typename... Args>
struct Unsupported<R (*)(Args...)> {
  static R Call(Args...) {
    if constexpr (std::is_void_v<R>) {
      return;
    } else {
      return HAL_ERROR_UNSUPPORTED;
    }
  }
};
template <typename Fn>
void AnswerUnsupported(Fn& entry) {
  entry = Unsupported<Fn>::Call;
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
  AnswerUnsupported(table.device_get_properties);
  AnswerUnsupported(table.device_get_memory_info);
  AnswerUnsupported(table.context_create);
  AnswerUnsupported(table.context_destroy);
  AnswerUnsupported(table.context_get_partition);
  AnswerUnsupported(table.buffer_allocate);
  AnswerUnsupported(table.buffer_free);
  AnswerUnsupported(table.buffer_map);
  AnswerUnsupported(table.stream_create);
  AnswerUnsupported(table.stream_destroy);
  AnswerUnsupported(table.stream_copy_host_to_device);
  AnswerUnsupported(table.stream_copy_device_to_host);
  AnswerUnsupported(table.stream_copy_buffer);
  AnswerUnsupported(table.stream_fill);
  AnswerUnsupported(table.stream_dispatch);
  AnswerUnsupported(table.stream_signal_event);
  AnswerUnsupported(table.stream_wait_event);
  AnswerUnsupported(table.stream_synchronize);
#ifndef FAKE_NULL_ENTRY
  AnswerUnsupported(table.event_create);
#endif
  AnswerUnsupported(table.event_destroy);
  AnswerUnsupported(table.event_query);
  AnswerUnsupported(table.event_synchronize);
  AnswerUnsupported(table.event_timestamp_ns);
  AnswerUnsupported(table.module_load);
  AnswerUnsupported(table.module_destroy);
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
