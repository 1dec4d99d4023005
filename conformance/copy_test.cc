// Copies in every direction (host to device, device to host, device to
// device, host-staging buffers), at offsets and odd sizes; zero-size copies
// are no-ops and out-of-range ones fail with nothing enqueued.
//
// Overlapping copies within one buffer are not part of the contract (the API
// does not promise memmove semantics), so no test depends on their result.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/reference_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class Copy : public DeviceTest {};

constexpr uint64_t kOddSizes[] = {1, 3, 4, 255, 4097, (uint64_t{1} << 20) + 3};

HAL_CTS_COVERS("Copy.HostToDeviceToHost", {"stream_copy_host_to_device", "success"},
               {"stream_copy_device_to_host", "success"}, {"stream_synchronize", "success"},
               {"stream_create", "success"}, {"stream_destroy", "success"});
TEST_P(Copy, HostToDeviceToHost) {
  for (uint64_t size : kOddSizes) {
    SCOPED_TRACE(::testing::Message() << "size " << size);
    const std::vector<uint8_t> data = PatternBytes(size, 1);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size));
    HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(data.data(), *buffer, 0, size));
    std::vector<uint8_t> read_back(size);
    HAL_CTS_ASSERT_OK(queue().CopyDeviceToHost(*buffer, 0, read_back.data(), size));
    HAL_CTS_ASSERT_OK(queue().Synchronize());
    EXPECT_EQ(read_back, data);
  }
}

HAL_CTS_COVERS("Copy.DeviceToDevice", {"stream_copy_buffer", "success"});
TEST_P(Copy, DeviceToDevice) {
  for (uint64_t size : kOddSizes) {
    SCOPED_TRACE(::testing::Message() << "size " << size);
    const std::vector<uint8_t> data = PatternBytes(size, 2);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> source,
                                 UploadBytes(device(), queue(), data));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> destination, device().Allocate(size));
    HAL_CTS_ASSERT_OK(queue().CopyBuffer(*source, 0, *destination, 0, size));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back,
                                 DownloadBytes(queue(), *destination));
    EXPECT_EQ(read_back, data);
  }
}

HAL_CTS_COVERS("Copy.ThroughHostStagingBuffers", {"buffer_map", "success"},
               {"stream_copy_buffer", "success"});
TEST_P(Copy, ThroughHostStagingBuffers) {
  constexpr uint64_t kSize = 4097;
  const std::vector<uint8_t> data = PatternBytes(kSize, 3);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> upload,
                               device().Allocate(kSize, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> on_device, device().Allocate(kSize));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> download,
                               device().Allocate(kSize, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(data.data(), *upload, 0, kSize));
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*upload, 0, *on_device, 0, kSize));
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*on_device, 0, *download, 0, kSize));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, download->Map());
  EXPECT_EQ(std::vector<uint8_t>(static_cast<uint8_t*>(host), static_cast<uint8_t*>(host) + kSize),
            data);
}

// Copies into the middle of a buffer leave the bytes around the range alone.
TEST_P(Copy, AtOffsetsTouchOnlyTheirRange) {
  constexpr uint64_t kBufferSize = 3 * 4096 + 17;
  struct Case {
    uint64_t source_offset, destination_offset, size;
  };
  for (const Case& c : {Case{0, 5, 3}, Case{7, 13, 4097}, Case{4096, 1, 4096},
                        Case{1, kBufferSize - 1, 1}, Case{0, 0, kBufferSize}}) {
    SCOPED_TRACE(::testing::Message()
                 << "source offset " << c.source_offset << ", destination offset "
                 << c.destination_offset << ", size " << c.size);
    const std::vector<uint8_t> source_bytes = PatternBytes(kBufferSize, 4);
    const std::vector<uint8_t> background = PatternBytes(kBufferSize, 5);
    std::vector<uint8_t> expected = background;
    std::copy_n(source_bytes.begin() + c.source_offset, c.size,
                expected.begin() + c.destination_offset);

    // Device to device.
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> source,
                                 UploadBytes(device(), queue(), source_bytes));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> destination,
                                 UploadBytes(device(), queue(), background));
    HAL_CTS_ASSERT_OK(
        queue().CopyBuffer(*source, c.source_offset, *destination, c.destination_offset, c.size));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back,
                                 DownloadBytes(queue(), *destination));
    EXPECT_EQ(read_back, expected) << "device to device";

    // Host to device.
    HAL_CTS_ASSERT_OK_AND_ASSIGN(destination, UploadBytes(device(), queue(), background));
    HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(source_bytes.data() + c.source_offset, *destination,
                                               c.destination_offset, c.size));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(read_back, DownloadBytes(queue(), *destination));
    EXPECT_EQ(read_back, expected) << "host to device";

    // Device to host.
    std::vector<uint8_t> host = background;
    HAL_CTS_ASSERT_OK(queue().CopyDeviceToHost(*source, c.source_offset,
                                               host.data() + c.destination_offset, c.size));
    HAL_CTS_ASSERT_OK(queue().Synchronize());
    EXPECT_EQ(host, expected) << "device to host";
  }
}

TEST_P(Copy, ZeroSizeIsANoOp) {
  constexpr uint64_t kSize = 64;
  const std::vector<uint8_t> data = PatternBytes(kSize, 6);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), data));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> other,
                               UploadBytes(device(), queue(), PatternBytes(kSize, 7)));
  // Offsets anywhere up to the end are valid for an empty range, and so is a
  // null host pointer.
  for (uint64_t offset : {uint64_t{0}, uint64_t{17}, kSize}) {
    HAL_CTS_EXPECT_OK(queue().CopyHostToDevice(nullptr, *buffer, offset, 0));
    HAL_CTS_EXPECT_OK(queue().CopyDeviceToHost(*buffer, offset, nullptr, 0));
    HAL_CTS_EXPECT_OK(queue().CopyBuffer(*other, offset, *buffer, offset, 0));
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
  EXPECT_EQ(read_back, data);
}

TEST_P(Copy, OutOfRangeIsInvalidArgumentAndEnqueuesNothing) {
  constexpr uint64_t kSize = 64;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const std::vector<uint8_t> data = PatternBytes(kSize, 8);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), data));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> other,
                               UploadBytes(device(), queue(), PatternBytes(kSize, 9)));
  const std::vector<uint8_t> host_source(2 * kSize, 0xEE);
  std::vector<uint8_t> host_destination(2 * kSize, 0x11);
  const std::vector<uint8_t> host_destination_before = host_destination;

  struct Range {
    uint64_t offset, size;
  };
  // Past the end, starting past the end, and offset + size overflowing.
  for (const Range& r : {Range{60, 8}, Range{0, kSize + 1}, Range{kSize + 1, 0}, Range{kSize, 1},
                         Range{kMax, 2}, Range{2, kMax}}) {
    SCOPED_TRACE(::testing::Message() << "offset " << r.offset << ", size " << r.size);
    const auto kInvalid = StatusIs(absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(queue().CopyHostToDevice(host_source.data(), *buffer, r.offset, r.size), kInvalid);
    EXPECT_THAT(queue().CopyDeviceToHost(*buffer, r.offset, host_destination.data(), r.size),
                kInvalid);
    EXPECT_THAT(queue().CopyBuffer(*other, r.offset, *buffer, 0, r.size), kInvalid);
    EXPECT_THAT(queue().CopyBuffer(*other, 0, *buffer, r.offset, r.size), kInvalid);
  }
  // A null host pointer with bytes to copy.
  EXPECT_THAT(queue().CopyHostToDevice(nullptr, *buffer, 0, 4),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(queue().CopyDeviceToHost(*buffer, 0, nullptr, 4),
              StatusIs(absl::StatusCode::kInvalidArgument));

  // Nothing was enqueued: the queue is healthy and nothing changed.
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  EXPECT_EQ(host_destination, host_destination_before);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
  EXPECT_EQ(read_back, data);
}

// Within one buffer: disjoint ranges copy like any others; overlapping ones
// are refused before reaching the driver (Vulkan forbids them, and memcpy
// semantics would make the result driver-dependent).
TEST_P(Copy, WithinOneBufferDisjointRangesCopyAndOverlapsAreRefused) {
  constexpr uint64_t kSize = 256;
  const std::vector<uint8_t> data = PatternBytes(kSize, 10);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), data));
  EXPECT_THAT(queue().CopyBuffer(*buffer, 0, *buffer, 64, 128),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(queue().CopyBuffer(*buffer, 8, *buffer, 8, 4),
              StatusIs(absl::StatusCode::kInvalidArgument));
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*buffer, 0, *buffer, 128, 128));
  std::vector<uint8_t> expected = data;
  std::copy(data.begin(), data.begin() + 128, expected.begin() + 128);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
  EXPECT_EQ(read_back, expected);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Copy);

}  // namespace
}  // namespace hal::cts
