// A range of device memory. Created by Device::Allocate; freed when the last
// reference goes, which queues hold until their work on it completes.
// Thread-safe (immutable).
#ifndef HAL_BUFFER_H_
#define HAL_BUFFER_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hal/export.h"
#include "hal/native_handle.h"
#include "hal/types.h"

namespace hal {

namespace internal {
struct DeviceState;
struct BufferState;
struct Access;
}  // namespace internal

class HAL_API Buffer {
 public:
  HAL_INTERNAL explicit Buffer(std::shared_ptr<internal::BufferState> state);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint64_t size() const;            // bytes asked for
  uint64_t allocated_size() const;  // bytes taken, with the driver's granularity
  BufferKind kind() const;
  // Host address of a host-staging buffer, or of a device buffer where
  // DeviceProperties::device_buffers_mappable says so; Unimplemented
  // otherwise. The mapping is not synchronized with queues: results of queued
  // work are visible through it only after the queue's Synchronize() (or an
  // event signalled after the work completed), and host writes through it
  // must be finished before the work that reads them is submitted. In an
  // overcommitted pool a mapped buffer is pinned: it is never evicted
  // afterwards.
  absl::StatusOr<void*> Map() const;

  // In an overcommitted pool (a virtual device whose pool's memory exceeds
  // the device's), restores the buffer if it was evicted and keeps it
  // resident for good, so its address never changes; the bytes count against
  // the tenant's pin limit (ResourceExhausted over it). Elsewhere buffers
  // never move, and this does nothing. Map() pins too.
  absl::Status Pin() const;

  // The buffer's address as the device's kernels see it (a CUdeviceptr, the
  // host address on the CPU), stable for the buffer's life. Unimplemented on
  // a device without Capability::kDeviceAddress. In an overcommitted pool,
  // eviction could move the buffer unless the device has
  // Capability::kVirtualMemory and the buffer is one the pool evicts in place
  // (a device buffer of at least DeviceProperties::virtual_memory_granularity)
  // or registered host memory (never evicted): any other buffer must be
  // pinned first (Pin(), Map()), else FailedPrecondition.
  absl::StatusOr<uint64_t> DeviceAddress() const;

  // The vendor object behind the buffer (hal/native_handle.h): "CUdeviceptr",
  // "VkBuffer", ... Unimplemented on a device without
  // Capability::kNativeHandles; in an overcommitted pool, FailedPrecondition
  // where DeviceAddress() is.
  absl::StatusOr<hal::NativeHandle> NativeHandle() const;

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::BufferState> state_;
  // Set once Pin() (or Map()) succeeded: the buffer never moves again.
  mutable std::atomic<bool> pinned_{false};
};

}  // namespace hal

#endif  // HAL_BUFFER_H_
