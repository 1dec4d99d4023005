// A point in a queue's work, with the device time at which it was reached.
// Created by Device::CreateEvent, signalled by Queue::Signal. Thread-safe.
#ifndef HAL_EVENT_H_
#define HAL_EVENT_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "hal/export.h"
#include "hal/native_handle.h"

namespace hal {

namespace internal {
struct EventState;
struct Access;
}  // namespace internal

class HAL_API Event {
 public:
  HAL_INTERNAL explicit Event(std::shared_ptr<internal::EventState> state);
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // true once signalled; never blocks. FailedPrecondition if never submitted
  // to a queue. Asking starts the work before the signal where a driver holds
  // commands back to batch them (Vulkan records until a wait): polling alone
  // reaches completion.
  absl::StatusOr<bool> IsComplete() const;
  // Blocks until signalled. FailedPrecondition if never submitted.
  absl::Status Wait() const;
  // Device time of the signal, in ns. FailedPrecondition until complete.
  absl::StatusOr<uint64_t> TimestampNs() const;
  // end - start in ns; InvalidArgument if the events are of different
  // devices or end precedes start.
  static absl::StatusOr<uint64_t> ElapsedNs(const Event& start, const Event& end);

  // The vendor object behind the event (hal/native_handle.h): "CUevent", ...
  // Unimplemented on a device without Capability::kNativeHandles, or whose
  // driver has no vendor object for events (Vulkan).
  absl::StatusOr<hal::NativeHandle> NativeHandle() const;

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::EventState> state_;
};

}  // namespace hal

#endif  // HAL_EVENT_H_
