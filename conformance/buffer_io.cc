#include "conformance/buffer_io.h"

namespace hal::cts {

absl::StatusOr<std::shared_ptr<Buffer>> UploadBytes(Device& device, Queue& queue,
                                                    absl::Span<const uint8_t> bytes) {
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<Buffer> buffer, device.Allocate(bytes.size()));
  HAL_RETURN_IF_ERROR(queue.CopyHostToDevice(bytes.data(), *buffer, 0, bytes.size()));
  HAL_RETURN_IF_ERROR(queue.Synchronize());
  return buffer;
}

absl::StatusOr<std::vector<uint8_t>> DownloadBytes(Queue& queue, const Buffer& buffer,
                                                   uint64_t offset, uint64_t size) {
  return Download<uint8_t>(queue, buffer, size, offset);
}

absl::StatusOr<std::vector<uint8_t>> DownloadBytes(Queue& queue, const Buffer& buffer) {
  return DownloadBytes(queue, buffer, 0, buffer.size());
}

}  // namespace hal::cts
