// The commands a CPU stream queues, resolved at submission to host pointers
// and private copies (push constants), and how its worker executes them.
#ifndef HAL_BACKENDS_CPU_CPU_COMMANDS_H_
#define HAL_BACKENDS_CPU_CPU_COMMANDS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <variant>

#include "backends/common/thread_pool.h"
#include "backends/cpu/cpu_event.h"
#include "hal/driver/hal_cpu_kernel.h"
#include "hal/driver/hal_driver.h"

namespace hal::cpu {

using driver_support::ThreadPool;

// Every copy direction: device memory is host memory. Overlapping source
// and destination ranges copy as std::memmove does. `streaming_stores`
// writes with non-temporal stores (streaming_stores.h); the driver sets it
// where plain stores would only cost (Context::StreamsCopy).
struct CopyCommand {
  const std::byte* source;
  std::byte* destination;
  uint64_t size;
  bool streaming_stores = false;
};

struct FillCommand {
  std::byte* destination;  // 4-byte aligned
  uint64_t size;           // a multiple of 4
  uint32_t pattern;
  bool streaming_stores = false;  // as for CopyCommand
};

struct DispatchCommand {
  hal_cpu_kernel_fn function;
  uint32_t workgroup_count[3];
  uint32_t workgroup_size[3];
  std::array<void*, HAL_MAX_BINDINGS> bindings;          // offsets applied
  std::array<uint64_t, HAL_MAX_BINDINGS> binding_sizes;  // from the offset to the buffer's end
  uint32_t binding_count;
  // Copied at submission, as the ABI requires; aligned for any scalar.
  alignas(16) std::array<std::byte, HAL_MAX_PUSH_CONSTANT_SIZE> push_constants;
  uint32_t push_constant_size;
};

// The stream shares the event so that destroying an event with a signal or
// wait still queued (which the ABI does not forbid) is safe.
struct SignalEventCommand {
  std::shared_ptr<Event> event;
  uint64_t generation;
};

struct WaitEventCommand {
  std::shared_ptr<Event> event;
  uint64_t generation;
};

using Command =
    std::variant<CopyCommand, FillCommand, DispatchCommand, SignalEventCommand, WaitEventCommand>;

// Runs `command` on the calling thread (a stream's worker); large copies,
// fills and multi-workgroup dispatches are spread over `pool`.
void Execute(const Command& command, ThreadPool& pool);

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_COMMANDS_H_
