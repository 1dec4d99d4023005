// stream_fill through the driver table: the 32-bit pattern repeated
// little-endian over [offset, offset + size), offsets and sizes multiples of
// 4 from the first word to the last, every byte outside the range keeping its
// value, fills ordered with the stream's other commands.
#include <algorithm>
#include <vector>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

class AbiFill : public AbiCommandsTest {
 protected:
  // Fills [offset, offset + size) of a patterned buffer of `buffer_size`
  // bytes of `kind` with `pattern`, and reads the whole buffer back.
  void CheckFill(uint64_t buffer_size, uint64_t offset, uint64_t size, uint32_t pattern,
                 hal_buffer_kind kind = HAL_BUFFER_DEVICE) {
    DrvBuffer buffer = AllocateBuffer(buffer_size, kind);
    ASSERT_TRUE(buffer);
    std::vector<uint8_t> expected = PatternBytes(buffer_size, 8);
    Write(stream(), buffer.get(), 0, expected);
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().stream_fill(stream().get(), buffer.get(), offset, size, pattern));
    for (uint64_t i = 0; i < size; ++i) {
      expected[offset + i] = static_cast<uint8_t>(pattern >> (8 * (i % 4)));  // little-endian
    }
    EXPECT_EQ(ReadBack(stream(), buffer.get(), 0, buffer_size), expected)
        << "after a fill of [" << offset << ", " << offset + size << ")";
  }
};

HAL_CTS_COVERS("AbiFill.*", {"stream_fill", "success"});
TEST_P(AbiFill, WholeBuffer) { CheckFill(4096, 0, 4096, 0xa1b2c3d4u); }
TEST_P(AbiFill, FirstWordOnly) { CheckFill(64, 0, 4, 0x01020304u); }
TEST_P(AbiFill, LastWordOnly) { CheckFill(64, 60, 4, 0x01020304u); }
TEST_P(AbiFill, AtOffsetFour) { CheckFill(256, 4, 100, 0xdeadbeefu); }
TEST_P(AbiFill, AtOffsetTwelveEndingBeforeTheEnd) { CheckFill(256, 12, 20, 0x80ff017fu); }
TEST_P(AbiFill, ZeroPattern) { CheckFill(1024, 8, 1000, 0u); }
TEST_P(AbiFill, AllOnesPattern) { CheckFill(1024, 8, 1000, 0xffffffffu); }
TEST_P(AbiFill, OnePagePlusOneWordAtAnOffset) { CheckFill(8192, 1020, 4100, 0x00c0ffeeu); }
TEST_P(AbiFill, FourMiBPlusOneWordAtAnOffset) {
  CheckFill((uint64_t{4} << 20) + 64, 4, (uint64_t{4} << 20) + 4, 0x13579bdfu);
}
TEST_P(AbiFill, HostStagingBuffer) {
  CheckFill(4096, 16, 4000, 0x2468ace0u, HAL_BUFFER_HOST_STAGING);
}

// Every offset class modulo 64 (the widest vector a driver may fill with):
// each 8-byte fill lands where it was told, on one buffer.
TEST_P(AbiFill, EveryMultipleOfFourOffsetUpTo64) {
  constexpr uint64_t kSize = 256;
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(buffer);
  for (uint64_t offset = 4; offset <= 64; offset += 4) {
    SCOPED_TRACE(offset);
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), buffer.get(), 0, kSize, 0));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), buffer.get(), offset, 8,
                                                       static_cast<uint32_t>(offset)));
    const std::vector<uint32_t> words = ReadBackAs<uint32_t>(stream(), buffer.get(), 0, kSize / 4);
    std::vector<uint32_t> expected(kSize / 4, 0);
    expected[offset / 4] = expected[offset / 4 + 1] = static_cast<uint32_t>(offset);
    EXPECT_EQ(words, expected);
  }
}

// A later fill over part of an earlier one wins there, in stream order.
TEST_P(AbiFill, LaterFillOverwritesAnEarlierOneInStreamOrder) {
  constexpr uint64_t kSize = 1 << 20;
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(buffer);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream().get(), buffer.get(), 0, kSize, 1));
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream().get(), buffer.get(), kSize / 4, kSize / 2, 2));
  std::vector<uint32_t> expected(kSize / 4, 1u);
  std::fill(expected.begin() + kSize / 16, expected.begin() + 3 * kSize / 16, 2u);
  EXPECT_EQ(ReadBackAs<uint32_t>(stream(), buffer.get(), 0, kSize / 4), expected);
}

// A fill queued behind a copy into the same range overwrites the copy.
TEST_P(AbiFill, FillAfterACopyInStreamOrder) {
  constexpr uint64_t kSize = 4096;
  DrvBuffer buffer = AllocateBuffer(kSize);
  ASSERT_TRUE(buffer);
  const std::vector<uint8_t> source = PatternBytes(kSize, 9);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream().get(), source.data(),
                                                                    buffer.get(), 0, kSize));
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream().get(), buffer.get(), 0, kSize, 0x77777777u));
  EXPECT_EQ(ReadBackAs<uint32_t>(stream(), buffer.get(), 0, kSize / 4),
            std::vector<uint32_t>(kSize / 4, 0x77777777u));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiFill);

}  // namespace
}  // namespace hal::cts
