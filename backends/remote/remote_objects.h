// The remote driver's objects behind the ABI's opaque handles. Each names its
// daemon-side twin by a handle the client chose (unique per connection), and
// reaches the daemon through its context's connection.
#ifndef HAL_BACKENDS_REMOTE_REMOTE_OBJECTS_H_
#define HAL_BACKENDS_REMOTE_REMOTE_OBJECTS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "backends/common/driver_handles.h"
#include "backends/common/host_range_index.h"
#include "backends/common/thread_pool.h"
#include "backends/remote/connection.h"
#include "backends/remote/host_shadow.h"

namespace hal::remote {

struct Buffer;

// A context's shared host-staging buffers by address: a copy whose host side
// lies wholly in one becomes a copy between buffers in hald, as CUDA treats
// pinned pointers (one copy instead of two). Thread-safe.
class SharedStagingIndex {
 public:
  void Add(const Buffer& buffer);
  void Remove(const Buffer& buffer);
  // The shared buffer holding [address, address + size) within its size, and
  // the offset of `address` in it; nullptr when none does.
  const Buffer* Find(const void* address, uint64_t size, uint64_t* offset) const {
    return index_.Find(address, size, offset);
  }

 private:
  driver_support::HostRangeIndex<const Buffer> index_;
};

// A context is a session: a connection of its own, attached to one virtual
// device.
struct Context {
  std::unique_ptr<Connection> connection;
  uint32_t partition_units = 0;
  std::atomic<uint64_t> next_handle{1};
  SharedStagingIndex shared_staging;
  // Set where large DEVICE buffers are offered to hald as memfds
  // (RemoteDevice's shared_device_memory, on a Unix socket): this process
  // copies into and out of those hald takes on all its CPUs, as the CPU
  // driver copies.
  std::unique_ptr<driver_support::ThreadPool> copy_pool;

  uint64_t NewHandle() { return next_handle++; }
  bool shares_device_buffers() const { return copy_pool != nullptr; }
};

struct Buffer {
  Context* context;
  uint64_t handle;
  uint64_t size;
  hal_buffer_kind kind;
  // A HOST_STAGING buffer's host memory, which buffer_map returns; or the
  // memory of a shared DEVICE buffer, which only copies reach.
  std::unique_ptr<HostShadow> shadow;
  // hald registered the shadow's memfd: the buffer in hald IS that memory,
  // so commands on it run in hald like any buffer's. Otherwise (staging
  // only) the shadow is a copy kept in sync by uploads and downloads.
  bool shared = false;
};

inline void SharedStagingIndex::Add(const Buffer& buffer) {
  index_.Add(buffer.shadow->data(), buffer.size, &buffer);
}

inline void SharedStagingIndex::Remove(const Buffer& buffer) {
  index_.Remove(buffer.shadow->data());
}

struct Stream {
  Context* context;
  uint64_t handle;
};

struct Event {
  Context* context;
  uint64_t handle;
};

struct Kernel {
  uint64_t handle;
};

// Owns its kernels: the ABI has no kernel_destroy, a kernel lives as long as
// its module (the daemon drops them with the module).
struct Module {
  Context* context;
  uint64_t handle;
  std::mutex kernels_mutex;
  std::vector<std::unique_ptr<Kernel>> kernels;
};

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event, Module, Kernel> Unwrap{};
inline constexpr driver_support::Destroyer<decltype(Unwrap)> Destroy{};
using driver_support::Wrap;

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_REMOTE_OBJECTS_H_
