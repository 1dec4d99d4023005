// Memory: allocation and release of many sizes, the granularity and alignment
// the device promises, the errors of zero and over-large sizes, and the
// runtime's accounting of live allocations.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "conformance/byte_units.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class Memory : public DeviceTest {};

// Sizes from one byte to 64 MiB, odd ones included, capped to a quarter of
// the device's memory so that small devices can run the test too.
std::vector<uint64_t> AllocationSizes(uint64_t memory_bytes) {
  std::vector<uint64_t> sizes;
  for (uint64_t size : {uint64_t{1}, uint64_t{3}, uint64_t{4}, uint64_t{255}, uint64_t{4097},
                        uint64_t{65537}, kMiB, kMiB + 1, 64 * kMiB}) {
    if (size <= memory_bytes / 4) sizes.push_back(size);
  }
  return sizes;
}

HAL_CTS_COVERS("Memory.AllocatesManySizesWithTheDeviceGranularity", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(Memory, AllocatesManySizesWithTheDeviceGranularity) {
  const uint64_t granularity = properties().allocation_granularity;
  for (uint64_t size : AllocationSizes(properties().memory_bytes)) {
    SCOPED_TRACE(::testing::Message() << "size " << size);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size));
    EXPECT_EQ(buffer->size(), size);
    EXPECT_EQ(buffer->kind(), BufferKind::kDevice);
    EXPECT_GE(buffer->allocated_size(), size);
    EXPECT_EQ(buffer->allocated_size() % granularity, 0u)
        << "allocated size " << buffer->allocated_size() << ", granularity " << granularity;
  }
}

TEST_P(Memory, MappedBuffersHaveTheMinimumAlignment) {
  // Map is optional for device buffers (Unimplemented where device memory is
  // not host-visible) and required for host-staging ones.
  const uint64_t alignment = properties().min_buffer_alignment;
  for (BufferKind kind : {BufferKind::kDevice, BufferKind::kHostStaging}) {
    for (uint64_t size : {uint64_t{1}, uint64_t{4097}}) {
      SCOPED_TRACE(::testing::Message()
                   << "size " << size << ", host-staging " << (kind == BufferKind::kHostStaging));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size, kind));
      EXPECT_EQ(buffer->kind(), kind);
      absl::StatusOr<void*> host = buffer->Map();
      if (kind == BufferKind::kDevice && host.status().code() == absl::StatusCode::kUnimplemented) {
        continue;
      }
      HAL_CTS_ASSERT_OK(host);
      ASSERT_NE(*host, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(*host) % alignment, 0u)
          << "mapped address " << *host << ", alignment " << alignment;
    }
  }
}

TEST_P(Memory, HostStagingBufferIsReadableAndWritableThroughItsMapping) {
  constexpr uint64_t kSize = 4096;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               device().Allocate(kSize, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, staging->Map());
  auto* bytes = static_cast<uint8_t*>(host);
  for (uint64_t i = 0; i < kSize; ++i) bytes[i] = static_cast<uint8_t>(i * 7);
  // The device sees what the host wrote.
  std::vector<uint8_t> read_back(kSize);
  HAL_CTS_ASSERT_OK(queue().CopyDeviceToHost(*staging, 0, read_back.data(), kSize));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  for (uint64_t i = 0; i < kSize; ++i) {
    ASSERT_EQ(read_back[i], static_cast<uint8_t>(i * 7)) << "byte " << i;
  }
}

TEST_P(Memory, ZeroSizeIsInvalidArgument) {
  const uint64_t baseline = device().allocated_bytes();
  for (BufferKind kind : {BufferKind::kDevice, BufferKind::kHostStaging}) {
    EXPECT_THAT(device().Allocate(0, kind), StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_EQ(device().allocated_bytes(), baseline);
}

TEST_P(Memory, LargerThanDeviceMemoryIsResourceExhausted) {
  const uint64_t baseline = device().allocated_bytes();
  for (uint64_t size : {properties().memory_bytes + 1, properties().memory_bytes * 2,
                        std::numeric_limits<uint64_t>::max()}) {
    EXPECT_THAT(device().Allocate(size), StatusIs(absl::StatusCode::kResourceExhausted))
        << "size " << size;
  }
  EXPECT_EQ(device().allocated_bytes(), baseline);
  // The failures leave the device usable.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(4096));
  EXPECT_EQ(buffer->size(), 4096u);
}

TEST_P(Memory, AllocatedBytesIsTheSumOfLiveAllocations) {
  const uint64_t baseline = device().allocated_bytes();
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t live = 0;
  for (uint64_t size : AllocationSizes(properties().memory_bytes)) {
    for (BufferKind kind : {BufferKind::kDevice, BufferKind::kHostStaging}) {
      HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size, kind));
      live += buffer->allocated_size();
      buffers.push_back(std::move(buffer));
      ASSERT_EQ(device().allocated_bytes(), baseline + live);
    }
  }
  // Free every other buffer, then the rest.
  for (size_t i = 0; i < buffers.size(); i += 2) {
    live -= buffers[i]->allocated_size();
    buffers[i].reset();
    ASSERT_EQ(device().allocated_bytes(), baseline + live);
  }
  buffers.clear();
  EXPECT_EQ(device().allocated_bytes(), baseline);
}

TEST_P(Memory, RepeatedLargeAllocationsAreReleased) {
  const uint64_t size = std::min<uint64_t>(64 * kMiB, properties().memory_bytes / 4);
  const uint64_t baseline = device().allocated_bytes();
  // 16 rounds of 64 MiB, each written by the device: more than a small
  // device holds at once, so memory that a free failed to return shows up.
  for (int round = 0; round < 16; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size));
    HAL_CTS_ASSERT_OK(queue().Fill(*buffer, 0, size / 4 * 4, 0xA5A5A5A5));
    HAL_CTS_ASSERT_OK(queue().Synchronize());
  }
  EXPECT_EQ(device().allocated_bytes(), baseline);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Memory);

}  // namespace
}  // namespace hal::cts
