// A CPU context: the device opened once. It owns the thread pool that every
// stream of the context runs its dispatches on, and knows the host memory
// registered with it.
#ifndef HAL_BACKENDS_CPU_CPU_CONTEXT_H_
#define HAL_BACKENDS_CPU_CPU_CONTEXT_H_

#include "backends/common/host_range_index.h"
#include "backends/common/thread_pool.h"
#include "backends/cpu/cpu_device.h"
#include "backends/cpu/cpu_memory.h"

namespace hal::cpu {

using driver_support::ThreadPool;

class Context {
 public:
  // One helper per usable CPU but one: a stream's worker is the last
  // participant of each job.
  Context();

  ThreadPool& pool() { return pool_; }
  // Registered buffers by their host range (host_register adds, buffer_free
  // removes).
  driver_support::HostRangeIndex<Buffer>& registered_memory() { return registered_memory_; }

  // Whether a copy of `size` bytes from `source`, or a fill of `size` bytes,
  // writes with non-temporal stores (streaming_stores.h). Plain stores first
  // read each destination line into the caches; that only costs when the
  // destination cannot stay there anyway, from 3/4 of the last-level cache
  // up (glibc decides so for one memcpy, but the pool's 1 MiB blocks hide the
  // size from it), and when a copy's source is registered memory (a staging
  // ring the host fills again next, such as hald's shared memory, which plain
  // stores would evict).
  bool StreamsCopy(const void* source, uint64_t size);
  bool StreamsFill(uint64_t size) const;

 private:
  ThreadPool pool_;
  driver_support::HostRangeIndex<Buffer> registered_memory_;
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_CONTEXT_H_
