#include "runtime/buffer_zeroing.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/service_stream.h"

namespace hal::internal {
namespace {

// Up to this size, memory the host can map is cleared by the allocating
// thread: handing so little to a stream and ordering its users after it
// costs more than the clear itself.
constexpr uint64_t kHostClearLimit = 64 * 1024;

// Clears a small buffer of host-mappable memory in place; false when it is
// not one (or the driver would not map it), for the stream to clear.
bool ClearOnHost(DeviceState& device, const BufferState& buffer) {
  const bool mappable =
      buffer.kind == BufferKind::kHostStaging || device.props().device_buffers_mappable;
  if (!mappable || buffer.size > kHostClearLimit) return false;
  void* host = nullptr;
  if (device.table->buffer_map(device.context, buffer.buffer, &host) != HAL_SUCCESS) return false;
  std::memset(host, 0, buffer.size);
  return true;
}

// Whether the clear is known complete; remembers the first time it is seen.
bool SeenZeroed(BufferState& buffer) {
  if (buffer.zeroed.load(std::memory_order_acquire)) return true;
  if (buffer.device->table->event_query(buffer.zero_fence) != HAL_SUCCESS) return false;
  buffer.zeroed.store(true, std::memory_order_release);
  return true;
}

}  // namespace

hal_result EnqueueZeroFill(const hal_driver_table& table, hal_drv_stream* stream,
                           hal_drv_buffer* buffer, uint64_t size) {
  // Fill works in 4-byte words; a tail of 1 to 3 bytes is copied from host.
  const uint64_t words = size / 4 * 4;
  if (words > 0) {
    if (hal_result r = table.stream_fill(stream, buffer, 0, words, 0); r != HAL_SUCCESS) return r;
  }
  static const uint8_t kZeros[4] = {};
  if (size == words) return HAL_SUCCESS;
  return table.stream_copy_host_to_device(stream, kZeros, buffer, words, size - words);
}

absl::Status ZeroNewBuffer(DeviceState& device, BufferState& buffer) {
  // A buffer allocated evicted has no device memory yet; the residency
  // controller gives it zeroed contents.
  if (buffer.buffer == nullptr || ClearOnHost(device, buffer)) return absl::OkStatus();
  absl::StatusOr<hal_drv_event*> fence = EnqueueOnServiceStream(
      device, "zeroing a new buffer", [&](const hal_driver_table& table, hal_drv_stream* stream) {
        return EnqueueZeroFill(table, stream, buffer.buffer, buffer.size);
      });
  if (!fence.ok()) return fence.status();
  buffer.zero_fence = *fence;
  buffer.zeroed.store(false, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status OrderAfterZeroing(BufferState& buffer, hal_drv_stream* stream) {
  if (SeenZeroed(buffer)) return absl::OkStatus();
  const DeviceState& device = *buffer.device;
  return device.driver->ToStatus(
      device.table->stream_wait_event(stream, buffer.zero_fence),
      absl::StrCat("ordering work after the zeroing of a new buffer on device ", device.label));
}

absl::Status WaitForZeroing(BufferState& buffer) {
  if (SeenZeroed(buffer)) return absl::OkStatus();
  const DeviceState& device = *buffer.device;
  if (absl::Status status = device.driver->ToStatus(
          device.table->event_synchronize(buffer.zero_fence),
          absl::StrCat("waiting for the zeroing of a new buffer on device ", device.label));
      !status.ok()) {
    return status;
  }
  buffer.zeroed.store(true, std::memory_order_release);
  return absl::OkStatus();
}

}  // namespace hal::internal
