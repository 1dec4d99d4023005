#include "runtime/buffer_zeroing.h"

#include <cstdint>

#include "runtime/service_stream.h"

namespace hal::internal {

absl::Status ZeroNewBuffer(DeviceState& device, const BufferState& buffer) {
  // A buffer allocated evicted has no device memory yet; the residency
  // controller gives it zeroed contents.
  if (buffer.buffer == nullptr) return absl::OkStatus();
  return RunOnServiceStream(
      device, "zeroing a new buffer", [&](const hal_driver_table& table, hal_drv_stream* stream) {
        // Fill works in 4-byte words; a tail of 1 to 3 bytes is copied from host.
        const uint64_t words = buffer.size / 4 * 4;
        if (words > 0) {
          if (hal_result r = table.stream_fill(stream, buffer.buffer, 0, words, 0);
              r != HAL_SUCCESS) {
            return r;
          }
        }
        static const uint8_t kZeros[4] = {};
        if (buffer.size == words) return HAL_SUCCESS;
        return table.stream_copy_host_to_device(stream, kZeros, buffer.buffer, words,
                                                buffer.size - words);
      });
}

}  // namespace hal::internal
