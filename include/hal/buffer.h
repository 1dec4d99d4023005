// A range of device memory. Created by Device::Allocate; freed when the last
// reference goes, which queues hold until their work on it completes.
// Thread-safe (immutable).
#ifndef HAL_BUFFER_H_
#define HAL_BUFFER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "hal/export.h"
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

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::BufferState> state_;
};

}  // namespace hal

#endif  // HAL_BUFFER_H_
