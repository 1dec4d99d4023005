// Moving test data in and out of device buffers through a queue. Each call
// synchronizes the queue, so the data is in place (or read) when it returns.
#ifndef HAL_CONFORMANCE_BUFFER_IO_H_
#define HAL_CONFORMANCE_BUFFER_IO_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hal/hal.h"

namespace hal::cts {

// A new buffer of `bytes.size()` bytes (>= 1) holding `bytes`.
absl::StatusOr<std::shared_ptr<Buffer>> UploadBytes(Device& device, Queue& queue,
                                                    absl::Span<const uint8_t> bytes);
// `size` bytes of `buffer` from `offset`.
absl::StatusOr<std::vector<uint8_t>> DownloadBytes(Queue& queue, const Buffer& buffer,
                                                   uint64_t offset, uint64_t size);
// The whole buffer.
absl::StatusOr<std::vector<uint8_t>> DownloadBytes(Queue& queue, const Buffer& buffer);

template <typename T>
absl::StatusOr<std::shared_ptr<Buffer>> Upload(Device& device, Queue& queue,
                                               absl::Span<const T> values) {
  return UploadBytes(device, queue,
                     absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(values.data()),
                                               values.size() * sizeof(T)));
}

// `count` elements of type T from byte `offset` of `buffer`.
template <typename T>
absl::StatusOr<std::vector<T>> Download(Queue& queue, const Buffer& buffer, size_t count,
                                        uint64_t offset = 0) {
  std::vector<T> values(count);
  HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(buffer, offset, values.data(), count * sizeof(T)));
  HAL_RETURN_IF_ERROR(queue.Synchronize());
  return values;
}

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_BUFFER_IO_H_
