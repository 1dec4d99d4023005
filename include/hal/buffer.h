// A range of device memory. Created by Device::Allocate; freed when the last
// reference goes, which queues hold until their work on it completes.
// Thread-safe (immutable).
#ifndef HAL_BUFFER_H_
#define HAL_BUFFER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "hal/types.h"

namespace hal {

namespace internal {
struct DeviceState;
struct BufferState;
}

class Buffer {
 public:
  explicit Buffer(std::shared_ptr<internal::BufferState> state);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint64_t size() const;            // bytes asked for
  uint64_t allocated_size() const;  // bytes taken, with the driver's granularity
  BufferKind kind() const;
  // Host address of a host-staging buffer, or of any buffer of a device whose
  // memory is host memory; Unimplemented otherwise. In an overcommitted pool
  // a mapped buffer is pinned: it is never evicted afterwards.
  absl::StatusOr<void*> Map() const;

  const std::shared_ptr<internal::BufferState>& state() const { return state_; }

 private:
  std::shared_ptr<internal::BufferState> state_;
};

}  // namespace hal

#endif  // HAL_BUFFER_H_
