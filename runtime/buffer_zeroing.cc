#include "runtime/buffer_zeroing.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace hal::internal {

absl::Status ZeroNewBuffer(DeviceState& device, const BufferState& buffer) {
  const hal_driver_table& table = *device.table;
  absl::MutexLock lock(&device.zero_mu);
  if (device.zero_stream == nullptr) {
    if (absl::Status status =
            device.driver->ToStatus(table.stream_create(device.context, &device.zero_stream),
                                    absl::StrCat("creating the zeroing stream of ", device.label));
        !status.ok()) {
      device.zero_stream = nullptr;
      return status;
    }
  }
  // Fill works in 4-byte words; a tail of 1 to 3 bytes is copied from host.
  const uint64_t words = buffer.size / 4 * 4;
  if (words > 0) {
    if (absl::Status status = device.driver->ToStatus(
            table.stream_fill(device.zero_stream, buffer.buffer, 0, words, 0),
            absl::StrCat("zeroing a new buffer on ", device.label));
        !status.ok()) {
      return status;
    }
  }
  static const uint8_t kZeros[4] = {};
  if (buffer.size > words) {
    if (absl::Status status = device.driver->ToStatus(
            table.stream_copy_host_to_device(device.zero_stream, kZeros, buffer.buffer, words,
                                             buffer.size - words),
            absl::StrCat("zeroing a new buffer on ", device.label));
        !status.ok()) {
      return status;
    }
  }
  return device.driver->ToStatus(table.stream_synchronize(device.zero_stream),
                                 absl::StrCat("zeroing a new buffer on ", device.label));
}

}  // namespace hal::internal
