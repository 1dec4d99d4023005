// A deliberately broken driver plugin for loader tests. One source, built
// several times with a define choosing the defect, so each loader refusal
// path is exercised by a real shared library:
//   FAKE_ABI_MAJOR=<n>      the table claims another ABI major version
//   FAKE_ABI_1_2            a driver built against ABI 1.2, whose table starts
//                           with struct_size and the version, not a type tag
//   FAKE_BAD_TYPE_TAG       an ABI 2 table whose type tag is not DRIVER_TABLE
//   FAKE_SHORT_TABLE        a table that ends at kernel_get, before the
//                           optional entries every 2.0 table has
//   FAKE_REFUSE_RUNTIME     the entry point returns no table
//   FAKE_INIT_FAILS         initialize() reports the vendor library missing
//   FAKE_NO_DEVICES         a healthy driver with no devices
//   FAKE_UNUSABLE_DEVICE    no devices it serves, one it found and does not
//   FAKE_NULL_ENTRY         a table whose event_create and stream_query are NULL
//   FAKE_NO_MESSAGE         initialize() fails and last_error_message() returns
//                           NULL, against the ABI's "never NULL"
//   FAKE_DEVICE_COUNT_FAILS device_count() fails, with no message either
//   FAKE_CAPABILITY_WITHOUT_ENTRY  one device reporting native handles while
//                           the native_handle entry is NULL
//   FAKE_OPTIONAL_ENTRIES_TRAP     one device with no capability, whose
//                           optional entries are set and abort when called
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "hal/driver/hal_driver.h"

#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR HAL_DRIVER_ABI_VERSION_MAJOR
#endif

#if defined(FAKE_CAPABILITY_WITHOUT_ENTRY) || defined(FAKE_OPTIONAL_ENTRIES_TRAP)
#define FAKE_ONE_DEVICE
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
#ifdef FAKE_ONE_DEVICE
  *count = 1;
#else
  *count = 0;
#endif
#ifdef FAKE_DEVICE_COUNT_FAILS
  return HAL_ERROR_INTERNAL;
#else
  return HAL_SUCCESS;
#endif
}

hal_result DeviceGetProperties(uint32_t, hal_device_properties* props) {
  void* const next = props->next;
  std::memset(props, 0, sizeof(*props));
  props->type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  props->next = next;
  std::strcpy(props->name, "Fake Device");
  std::strcpy(props->vendor, "Fake");
  props->device_type = HAL_DEVICE_TYPE_OTHER;
  props->compute_units = 1;
#ifdef FAKE_CAPABILITY_WITHOUT_ENTRY
  props->capabilities = HAL_CAPABILITY_NATIVE_HANDLES;
#endif
  std::strcpy(props->kernel_formats, "fake");
  props->partition_min_units = 1;
  props->partition_alignment = 1;
  props->partition_max_units = 1;
  return HAL_SUCCESS;
}

// Fills every entry the runtime may call, so that a variant's one defect is
// the only reason the loader could refuse it. Without devices, none is called.
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

// An optional entry the runtime must never call for a device without its
// capability: calling it ends the test process.
template <typename Fn>
struct Trap;
template <typename R, typename... Args>
struct Trap<R (*)(Args...)> {
  [[noreturn]] static R Call(Args...) { std::abort(); }
};
template <typename Fn>
void AbortWhenCalled(Fn& entry) {
  entry = Trap<Fn>::Call;
}

hal_result KernelGet(hal_drv_module*, const hal_kernel_desc*, hal_drv_kernel**) {
  return HAL_ERROR_NOT_FOUND;
}

uint32_t UnusableDeviceCount() {
#ifdef FAKE_UNUSABLE_DEVICE
  return 1;
#else
  return 0;
#endif
}

void UnusableDeviceGet(uint32_t, const char** name, const char** reason) {
  *name = "Fake GPU 9000";
  *reason = "supports FakeAPI 1.1, below the required 2.0";
}

hal_driver_table MakeTable() {
  hal_driver_table table;
  std::memset(&table, 0, sizeof(table));
#ifdef FAKE_BAD_TYPE_TAG
  table.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
#else
  table.type = HAL_STRUCTURE_TYPE_DRIVER_TABLE;
#endif
  table.struct_size = sizeof(table);
  table.abi_major = FAKE_ABI_MAJOR;
  table.abi_minor = HAL_DRIVER_ABI_VERSION_MINOR;
  table.name = FAKE_DRIVER_NAME;
  table.version = "fake-1";
  table.initialize = Initialize;
  table.shutdown = Shutdown;
  table.last_error_message = LastError;
  table.device_count = DeviceCount;
  table.device_get_properties = DeviceGetProperties;
  AnswerUnsupported(table.device_get_memory_info);
  table.unusable_device_count = UnusableDeviceCount;
  table.unusable_device_get = UnusableDeviceGet;
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
  AnswerUnsupported(table.stream_query);
  AnswerUnsupported(table.event_create);
#endif
  AnswerUnsupported(table.event_destroy);
  AnswerUnsupported(table.event_query);
  AnswerUnsupported(table.event_synchronize);
  AnswerUnsupported(table.event_timestamp_ns);
  AnswerUnsupported(table.module_load);
  AnswerUnsupported(table.module_destroy);
  table.kernel_get = KernelGet;
#ifdef FAKE_OPTIONAL_ENTRIES_TRAP
  AbortWhenCalled(table.buffer_device_address);
  AbortWhenCalled(table.buffer_decommit);
  AbortWhenCalled(table.buffer_recommit);
  AbortWhenCalled(table.host_register);
  AbortWhenCalled(table.native_handle);
  AbortWhenCalled(table.context_trim_memory);
#endif
#ifdef FAKE_SHORT_TABLE
  table.struct_size = offsetof(hal_driver_table, kernel_get) + sizeof(table.kernel_get);
#endif
  return table;
}

const hal_driver_table kTable = MakeTable();

#ifdef FAKE_ABI_1_2
// How an ABI 1.2 table began; the rest (its function pointers) is never read
// by a runtime that refuses it.
struct Abi1Table {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const char* name;
  const char* version;
  void* entries[40];
};
const Abi1Table kAbi1Table = {sizeof(Abi1Table), 1, 2, FAKE_DRIVER_NAME, "fake-1", {}};
#endif

}  // namespace

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* hal_driver_get_table(uint16_t, uint16_t) {
#if defined(FAKE_REFUSE_RUNTIME)
  return nullptr;
#elif defined(FAKE_ABI_1_2)
  return reinterpret_cast<const hal_driver_table*>(&kAbi1Table);
#else
  return &kTable;
#endif
}
