#include "hal/buffer.h"

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "runtime/buffer_zeroing.h"
#include "runtime/object_states.h"
#include "runtime/service_stream.h"

namespace hal {

Buffer::Buffer(std::shared_ptr<internal::BufferState> state) : state_(std::move(state)) {}
Buffer::~Buffer() = default;

uint64_t Buffer::size() const { return state_->size; }
uint64_t Buffer::allocated_size() const { return state_->allocated_size; }
BufferKind Buffer::kind() const { return state_->kind; }

absl::StatusOr<void*> Buffer::Map() const {
  internal::DeviceState& device = *state_->device;
  HAL_RETURN_IF_ERROR(device.health.CheckUsable(device.label));
  // Mapped memory must not move under the host pointer: pin it.
  HAL_RETURN_IF_ERROR(Pin());
  // The host must not see what the memory held before its clear.
  HAL_RETURN_IF_ERROR(internal::WaitForZeroing(*state_));
  void* host = nullptr;
  if (absl::Status status = device.driver->ToStatus(
          device.table->buffer_map(device.context, state_->buffer, &host),
          absl::StrCat("mapping a buffer of ", state_->size, " bytes of device ", device.label));
      !status.ok()) {
    return status;
  }
  return host;
}

namespace internal {

BufferState::~BufferState() {
  // The charge goes back first: a caching driver then charges the freed block
  // to the cache within the quota, never above it.
  if (device->tenant) device->tenant->Uncharge(charged);
  const bool holds_memory = !device->residency || device->residency->Unregister(*this);
  hal_drv_buffer* memory = holds_memory ? buffer : nullptr;
  // A clear still running keeps the memory until it ends (a stream-ordered
  // free); the fence goes back to the service stream either way.
  if (zero_fence != nullptr) {
    FreeAfterFence(*device, memory, allocated_size, zero_fence);
  } else if (memory != nullptr) {
    device->table->buffer_free(device->context, memory);
  }
  device->allocated_bytes.fetch_sub(allocated_size, std::memory_order_relaxed);
}

}  // namespace internal
}  // namespace hal
