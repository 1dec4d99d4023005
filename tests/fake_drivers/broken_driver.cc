// The deliberately broken test driver "broken": the CPU driver's behaviour
// (built from its objects), except three entries that fail the three ways a
// conformance run must survive and report (tests/hal_cts_broken_driver_test.cc):
//   event_timestamp_ns   crashes (SIGSEGV, a write through a null pointer)
//   stream_query         hangs forever
//   stream_copy_buffer   returns wrong data: one byte of the destination is
//                        changed after the real copy completed
// The runtime calls none of them while opening a device or clearing a new
// buffer: event_synchronize, the obvious entry to hang, is not among them
// because the runtime waits with it for the clear of a new buffer before the
// host maps it (runtime/buffer_zeroing.cc), which would hang unrelated tests.
// Test-only: built into the build tree's tests/broken_driver.d, never installed.
#include <chrono>
#include <thread>

#include "backends/cpu/cpu_driver_table.h"
#include "hal/driver/hal_driver.h"

namespace {

const hal_driver_table& Cpu() { return hal::cpu::CpuDriverTable(); }

// Not checked by UBSan (the sanitizer presets), which would end the process
// with its own report and exit status instead of the signal.
__attribute__((no_sanitize("undefined"))) hal_result CrashingEventTimestamp(
    hal_drv_event* /*event*/, uint64_t* /*out_ns*/) {
  // A volatile store through a pointer read from a volatile variable: the
  // compiler can neither drop the store nor put a trap instruction in its
  // place, so the write to address 0 happens (SIGSEGV).
  volatile int* volatile target = nullptr;
  *target = 1;
  return HAL_ERROR_UNAVAILABLE;
}

hal_result HangingStreamQuery(hal_drv_stream* /*stream*/) {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

hal_result CorruptingCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  if (const hal_result result =
          Cpu().stream_copy_buffer(stream, src, src_offset, dst, dst_offset, size);
      result != HAL_SUCCESS || size == 0) {
    return result;
  }
  // After the copy: the first destination byte, inverted.
  uint8_t byte = 0;
  for (hal_result result : {Cpu().stream_synchronize(stream),
                            Cpu().stream_copy_device_to_host(stream, dst, dst_offset, &byte, 1),
                            Cpu().stream_synchronize(stream)}) {
    if (result != HAL_SUCCESS) return result;
  }
  byte = static_cast<uint8_t>(~byte);
  if (const hal_result result = Cpu().stream_copy_host_to_device(stream, &byte, dst, dst_offset, 1);
      result != HAL_SUCCESS) {
    return result;
  }
  // The byte lives on this stack frame: the stream must be done with it.
  return Cpu().stream_synchronize(stream);
}

hal_driver_table BrokenTable() {
  hal_driver_table table = Cpu();
  table.name = "broken";
  table.event_timestamp_ns = CrashingEventTimestamp;
  table.stream_query = HangingStreamQuery;
  table.stream_copy_buffer = CorruptingCopyBuffer;
  return table;
}

const hal_driver_table kBrokenTable = BrokenTable();

}  // namespace

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* HAL_DRIVER_ENTRY_POINT(
    uint16_t runtime_abi_major, uint16_t /*runtime_abi_minor*/) {
  if (runtime_abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) return nullptr;
  return &kBrokenTable;
}
