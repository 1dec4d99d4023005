// A CPU context: the device opened once. It owns the thread pool that every
// stream of the context runs its dispatches on, and knows the host memory
// registered with it.
#ifndef HAL_BACKENDS_CPU_CPU_CONTEXT_H_
#define HAL_BACKENDS_CPU_CPU_CONTEXT_H_

#include "backends/common/host_range_index.h"
#include "backends/cpu/cpu_device.h"
#include "backends/cpu/cpu_memory.h"
#include "backends/cpu/thread_pool.h"

namespace hal::cpu {

class Context {
 public:
  // One helper per usable CPU but one: a stream's worker is the last
  // participant of each job.
  Context() : pool_(UsableCpuCount() - 1) {}

  ThreadPool& pool() { return pool_; }
  // Registered buffers by their host range (host_register adds, buffer_free
  // removes): a copy out of one streams its stores (cpu_commands.h).
  driver_support::HostRangeIndex<Buffer>& registered_memory() { return registered_memory_; }

 private:
  ThreadPool pool_;
  driver_support::HostRangeIndex<Buffer> registered_memory_;
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_CONTEXT_H_
