// A CPU context: the device opened once. It owns the thread pool that every
// stream of the context runs its dispatches on.
#ifndef HAL_BACKENDS_CPU_CPU_CONTEXT_H_
#define HAL_BACKENDS_CPU_CPU_CONTEXT_H_

#include "backends/cpu/cpu_device.h"
#include "backends/cpu/thread_pool.h"

namespace hal::cpu {

class Context {
 public:
  // One helper per usable CPU but one: a stream's worker is the last
  // participant of each job.
  Context() : pool_(UsableCpuCount() - 1) {}

  ThreadPool& pool() { return pool_; }

 private:
  ThreadPool pool_;
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_CONTEXT_H_
