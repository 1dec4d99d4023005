// Copies through the driver table: host to device, device to host and buffer
// to buffer, at offsets and sizes from 1 byte up (odd ones included), into and
// out of host-staging buffers; every byte outside the copied range keeps its
// value, and copies keep their stream's order.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

// Bytes on each side of a copied range that must keep their value.
constexpr uint64_t kGuardByte = 19;

// `bytes` with `inserted` written over it at `offset`.
std::vector<uint8_t> Overwritten(std::vector<uint8_t> bytes, uint64_t offset,
                                 const std::vector<uint8_t>& inserted) {
  std::copy(inserted.begin(), inserted.end(), bytes.begin() + static_cast<ptrdiff_t>(offset));
  return bytes;
}

class AbiCopy : public AbiCommandsTest {
 protected:
  // `size` bytes from `src_offset` of one patterned buffer to `dst_offset` of
  // another, each with kGuardByte bytes past the range, of `kind`s.
  void CheckBufferCopy(uint64_t src_offset, uint64_t dst_offset, uint64_t size,
                       hal_buffer_kind src_kind = HAL_BUFFER_DEVICE,
                       hal_buffer_kind dst_kind = HAL_BUFFER_DEVICE) {
    const uint64_t src_size = src_offset + size + kGuardByte;
    const uint64_t dst_size = dst_offset + size + kGuardByte;
    DrvBuffer src = AllocateBuffer(src_size, src_kind);
    DrvBuffer dst = AllocateBuffer(dst_size, dst_kind);
    ASSERT_TRUE(src && dst);
    const std::vector<uint8_t> src_bytes = PatternBytes(src_size, 1);
    const std::vector<uint8_t> dst_bytes = PatternBytes(dst_size, 2);
    Write(stream(), src.get(), 0, src_bytes);
    Write(stream(), dst.get(), 0, dst_bytes);
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), src.get(), src_offset,
                                                              dst.get(), dst_offset, size));
    const std::vector<uint8_t> copied(
        src_bytes.begin() + static_cast<ptrdiff_t>(src_offset),
        src_bytes.begin() + static_cast<ptrdiff_t>(src_offset + size));
    EXPECT_EQ(ReadBack(stream(), dst.get(), 0, dst_size),
              Overwritten(dst_bytes, dst_offset, copied));
    EXPECT_EQ(ReadBack(stream(), src.get(), 0, src_size), src_bytes) << "the source changed";
  }

  // `size` host bytes to `offset` of a patterned buffer.
  void CheckHostToDevice(uint64_t offset, uint64_t size) {
    const uint64_t buffer_size = offset + size + kGuardByte;
    DrvBuffer buffer = AllocateBuffer(buffer_size);
    ASSERT_TRUE(buffer);
    const std::vector<uint8_t> before = PatternBytes(buffer_size, 3);
    Write(stream(), buffer.get(), 0, before);
    const std::vector<uint8_t> source = PatternBytes(size, 4);
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream().get(), source.data(),
                                                                      buffer.get(), offset, size));
    EXPECT_EQ(ReadBack(stream(), buffer.get(), 0, buffer_size),
              Overwritten(before, offset, source));
  }

  // `size` bytes from `offset` of a patterned buffer into the middle of host
  // memory whose bytes around the range must stay as they were.
  void CheckDeviceToHost(uint64_t offset, uint64_t size) {
    const uint64_t buffer_size = offset + size + kGuardByte;
    DrvBuffer buffer = AllocateBuffer(buffer_size);
    ASSERT_TRUE(buffer);
    const std::vector<uint8_t> contents = PatternBytes(buffer_size, 5);
    Write(stream(), buffer.get(), 0, contents);
    const std::vector<uint8_t> host_before(size + 2 * kGuardByte, 0xee);
    std::vector<uint8_t> host = host_before;
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().stream_copy_device_to_host(stream().get(), buffer.get(), offset,
                                                         host.data() + kGuardByte, size));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream().get()));
    const std::vector<uint8_t> copied(contents.begin() + static_cast<ptrdiff_t>(offset),
                                      contents.begin() + static_cast<ptrdiff_t>(offset + size));
    EXPECT_EQ(host, Overwritten(host_before, kGuardByte, copied));
  }
};

HAL_CTS_COVERS("AbiCopy.BufferToBuffer*", {"stream_copy_buffer", "success"},
               {"stream_copy_host_to_device", "success"},
               {"stream_copy_device_to_host", "success"});
TEST_P(AbiCopy, BufferToBufferOneByte) { CheckBufferCopy(0, 0, 1); }
TEST_P(AbiCopy, BufferToBufferOneByteAtOddOffsets) { CheckBufferCopy(3, 5, 1); }
TEST_P(AbiCopy, BufferToBufferThreeBytes) { CheckBufferCopy(1, 2, 3); }
TEST_P(AbiCopy, BufferToBufferThirteenBytes) { CheckBufferCopy(7, 1, 13); }
TEST_P(AbiCopy, BufferToBuffer255Bytes) { CheckBufferCopy(0, 0, 255); }
TEST_P(AbiCopy, BufferToBuffer257BytesAtOddOffsets) { CheckBufferCopy(17, 3, 257); }
TEST_P(AbiCopy, BufferToBufferOnePagePlusOne) { CheckBufferCopy(5, 11, 4097); }
TEST_P(AbiCopy, BufferToBuffer64KiBPlus7) { CheckBufferCopy(64, 128, 65543); }
TEST_P(AbiCopy, BufferToBufferOneMiBPlus3AtOddOffsets) { CheckBufferCopy(3, 17, (1 << 20) + 3); }
TEST_P(AbiCopy, BufferToBufferFromHostStaging) {
  CheckBufferCopy(9, 4, 1001, HAL_BUFFER_HOST_STAGING, HAL_BUFFER_DEVICE);
}
TEST_P(AbiCopy, BufferToBufferIntoHostStaging) {
  CheckBufferCopy(4, 9, 1001, HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING);
}

HAL_CTS_COVERS("AbiCopy.HostToDevice*", {"stream_copy_host_to_device", "success"});
TEST_P(AbiCopy, HostToDeviceWholeBuffer) { CheckHostToDevice(0, 4096); }
TEST_P(AbiCopy, HostToDeviceOneByteAtAnOddOffset) { CheckHostToDevice(1, 1); }
TEST_P(AbiCopy, HostToDeviceThreeBytes) { CheckHostToDevice(13, 3); }
TEST_P(AbiCopy, HostToDeviceOnePagePlusOne) { CheckHostToDevice(7, 4097); }

HAL_CTS_COVERS("AbiCopy.DeviceToHost*", {"stream_copy_device_to_host", "success"});
TEST_P(AbiCopy, DeviceToHostWholeBuffer) { CheckDeviceToHost(0, 4096); }
TEST_P(AbiCopy, DeviceToHostOneByteAtAnOddOffset) { CheckDeviceToHost(1, 1); }
TEST_P(AbiCopy, DeviceToHostThreeBytes) { CheckDeviceToHost(5, 3); }
TEST_P(AbiCopy, DeviceToHostOnePagePlusOne) { CheckDeviceToHost(9, 4097); }

// Two disjoint ranges of one buffer: the copy reads one and writes the other.
HAL_CTS_COVERS("AbiCopy.WithinOneBufferBetweenDisjointRanges", {"stream_copy_buffer", "success"});
TEST_P(AbiCopy, WithinOneBufferBetweenDisjointRanges) {
  constexpr uint64_t kSize = 1000;
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(buffer);
  const std::vector<uint8_t> before = PatternBytes(kSize, 6);
  Write(stream(), buffer.get(), 0, before);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), buffer.get(), 3,
                                                            buffer.get(), 601, 333));
  EXPECT_EQ(
      ReadBack(stream(), buffer.get(), 0, kSize),
      Overwritten(before, 601, std::vector<uint8_t>(before.begin() + 3, before.begin() + 336)));
}

// Fill, copy, fill again, copy again on one stream: each copy sees the fill
// queued before it and not the one after.
HAL_CTS_COVERS("AbiCopy.CopiesKeepTheirStreamsOrder", {"stream_copy_buffer", "success"},
               {"stream_fill", "success"});
TEST_P(AbiCopy, CopiesKeepTheirStreamsOrder) {
  constexpr uint64_t kSize = 1 << 20;
  DrvBuffer source = AllocateBuffer(kSize);
  DrvBuffer first = AllocateBuffer(kSize);
  DrvBuffer second = AllocateBuffer(kSize);
  ASSERT_TRUE(source && first && second);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), source.get(), 0, kSize, 1));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), source.get(), 0,
                                                            first.get(), 0, kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), source.get(), 0, kSize, 2));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), source.get(), 0,
                                                            second.get(), 0, kSize));
  EXPECT_EQ(ReadBackAs<uint32_t>(stream(), first.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 1u));
  EXPECT_EQ(ReadBackAs<uint32_t>(stream(), second.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 2u));
}

// Host to device, device to device and back without a synchronize between:
// the host reads what it wrote, through two buffers.
HAL_CTS_COVERS("AbiCopy.RoundTripWithoutSynchronizeInBetween",
               {"stream_copy_host_to_device", "success"}, {"stream_copy_buffer", "success"},
               {"stream_copy_device_to_host", "success"});
TEST_P(AbiCopy, RoundTripWithoutSynchronizeInBetween) {
  constexpr uint64_t kSize = 65537;
  DrvBuffer first = AllocateBuffer(kSize);
  DrvBuffer second = AllocateBuffer(kSize);
  ASSERT_TRUE(first && second);
  const std::vector<uint8_t> source = PatternBytes(kSize, 7);
  std::vector<uint8_t> result(kSize, 0);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream().get(), source.data(),
                                                                    first.get(), 0, kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream().get(), first.get(), 0,
                                                            second.get(), 0, kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_device_to_host(stream().get(), second.get(), 0,
                                                                    result.data(), kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream().get()));
  EXPECT_EQ(result, source);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiCopy);

}  // namespace
}  // namespace hal::cts
