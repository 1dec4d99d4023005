// An in-order, asynchronous stream of work on one device. Created by
// Device::CreateQueue. NOT thread-safe: one Queue is used by one thread at a
// time (externally synchronized); use one queue per thread instead.
//
// Every call validates its arguments before anything is submitted: on error
// nothing was enqueued. Buffers, kernels and events passed in are kept alive
// until the work that uses them completes. Host memory passed to copies must
// stay valid (and, for uploads, unchanged) until Synchronize() or an event
// signalled after the copy completes.
#ifndef HAL_QUEUE_H_
#define HAL_QUEUE_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hal/export.h"
#include "hal/native_handle.h"
#include "hal/types.h"

namespace hal {

class Buffer;
class Event;
class Kernel;
namespace internal {
class QueueState;
}

// How the device schedules a queue's work against other queues' where it can
// (Capability::kStreamPriority: CUDA and HIP stream priorities); on other
// devices every queue is alike and the priority is ignored.
enum class QueuePriority { kLow, kNormal, kHigh };
HAL_API const char* QueuePriorityName(QueuePriority priority);  // "low", "normal", "high"

struct QueueOptions {
  QueuePriority priority = QueuePriority::kNormal;
};

// One buffer binding of a dispatch; offset is a multiple of the device's
// binding_offset_alignment.
struct BufferBinding {
  const Buffer* buffer = nullptr;
  uint64_t offset = 0;
};

class HAL_API Queue {
 public:
  HAL_INTERNAL explicit Queue(std::unique_ptr<internal::QueueState> state);
  ~Queue();  // waits for the queue's work to finish
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Copies. Zero-size copies are valid and do nothing. Ranges must lie inside
  // the buffers (InvalidArgument otherwise); buffers must be of this queue's
  // device (InvalidArgument: "belongs to device X, not Y"). A copy within one
  // buffer must not overlap itself (InvalidArgument).
  absl::Status CopyHostToDevice(const void* src, const Buffer& dst, uint64_t dst_offset,
                                uint64_t size);
  absl::Status CopyDeviceToHost(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size);
  absl::Status CopyBuffer(const Buffer& src, uint64_t src_offset, const Buffer& dst,
                          uint64_t dst_offset, uint64_t size);
  // Repeats the 4-byte pattern over [offset, offset+size); both multiples of 4.
  absl::Status Fill(const Buffer& dst, uint64_t offset, uint64_t size, uint32_t pattern);
  // Runs `kernel` over `grid` workgroups. The bindings and push-constant size
  // must be exactly those the kernel declares.
  absl::Status Dispatch(const Kernel& kernel, GridSize grid,
                        absl::Span<const BufferBinding> bindings,
                        absl::Span<const uint8_t> push_constants = {});
  // Typed push constants: any trivially copyable struct.
  template <typename T>
  absl::Status Dispatch(const Kernel& kernel, GridSize grid,
                        absl::Span<const BufferBinding> bindings, const T& push_constants) {
    return Dispatch(
        kernel, grid, bindings,
        absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(&push_constants), sizeof(T)));
  }

  // The event completes, with a timestamp, when all earlier work has.
  absl::Status Signal(Event& event);
  // Later work of this queue waits for the event (which may be of another
  // queue of the same device).
  absl::Status Wait(const Event& event);
  // Blocks until all submitted work completed. Returns the first error the
  // device reported for this queue's work (Unavailable for a lost device).
  absl::Status Synchronize();
  // Whether all submitted work has completed, without waiting. Returns the
  // first error the device reported for this queue's work, as Synchronize()
  // would (Unavailable for a lost device).
  absl::StatusOr<bool> IsIdle();

  // The vendor object behind the queue (hal/native_handle.h): "CUstream",
  // "VkQueue", ... Unimplemented on a device without
  // Capability::kNativeHandles.
  absl::StatusOr<hal::NativeHandle> NativeHandle() const;

 private:
  std::unique_ptr<internal::QueueState> state_;
};

}  // namespace hal

#endif  // HAL_QUEUE_H_
