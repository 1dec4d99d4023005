// Fill: a 4-byte pattern repeated little-endian over a range whose offset and
// size are multiples of 4; everything outside the range is left alone.
#include <cstdint>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/reference_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class Fill : public DeviceTest {};

// `background` with [offset, offset+size) holding `pattern`, little-endian.
std::vector<uint8_t> Filled(std::vector<uint8_t> background, uint64_t offset, uint64_t size,
                            uint32_t pattern) {
  for (uint64_t i = 0; i < size; ++i) {
    background[offset + i] = static_cast<uint8_t>(pattern >> (8 * (i % 4)));
  }
  return background;
}

HAL_CTS_COVERS("Fill.RepeatsThePatternOverTheWholeBuffer", {"stream_fill", "success"});
TEST_P(Fill, RepeatsThePatternOverTheWholeBuffer) {
  constexpr uint64_t kSize = 4096 + 12;
  for (uint32_t pattern : {0x00000000u, 0xFFFFFFFFu, 0xDEADBEEFu, 0x01020304u, 0x80000001u}) {
    SCOPED_TRACE(::testing::Message() << "pattern 0x" << std::hex << pattern);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                                 UploadBytes(device(), queue(), PatternBytes(kSize, 1)));
    HAL_CTS_ASSERT_OK(queue().Fill(*buffer, 0, kSize, pattern));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
    EXPECT_EQ(read_back, Filled(std::vector<uint8_t>(kSize), 0, kSize, pattern));
  }
}

TEST_P(Fill, AtOffsetsTouchesOnlyItsRange) {
  constexpr uint64_t kSize = 3 * 4096 + 20;
  struct Case {
    uint64_t offset, size;
  };
  for (const Case& c :
       {Case{4, 4}, Case{8, 4092}, Case{4096, 4096}, Case{kSize - 4, 4}, Case{12, kSize - 16}}) {
    SCOPED_TRACE(::testing::Message() << "offset " << c.offset << ", size " << c.size);
    const std::vector<uint8_t> background = PatternBytes(kSize, 2);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                                 UploadBytes(device(), queue(), background));
    HAL_CTS_ASSERT_OK(queue().Fill(*buffer, c.offset, c.size, 0xCAFEF00Du));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
    EXPECT_EQ(read_back, Filled(background, c.offset, c.size, 0xCAFEF00Du));
  }
}

TEST_P(Fill, LargeBuffer) {
  constexpr uint64_t kSize = uint64_t{16} << 20;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(kSize));
  HAL_CTS_ASSERT_OK(queue().Fill(*buffer, 0, kSize, 0x3F800000u));  // 1.0f
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> read_back,
                               Download<float>(queue(), *buffer, kSize / sizeof(float)));
  for (size_t i = 0; i < read_back.size(); ++i) ASSERT_EQ(read_back[i], 1.0f) << "element " << i;
}

TEST_P(Fill, ZeroSizeIsANoOp) {
  constexpr uint64_t kSize = 64;
  const std::vector<uint8_t> data = PatternBytes(kSize, 3);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), data));
  for (uint64_t offset : {uint64_t{0}, uint64_t{16}, kSize}) {
    HAL_CTS_EXPECT_OK(queue().Fill(*buffer, offset, 0, 0xFFFFFFFFu)) << "offset " << offset;
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
  EXPECT_EQ(read_back, data);
}

TEST_P(Fill, MisalignedOrOutOfRangeIsInvalidArgumentAndEnqueuesNothing) {
  constexpr uint64_t kSize = 64;
  const std::vector<uint8_t> data = PatternBytes(kSize, 4);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), data));
  struct Case {
    uint64_t offset, size;
  };
  for (const Case& c : {Case{2, 4}, Case{0, 6}, Case{1, 1}, Case{4, 3},       // misaligned
                        Case{60, 8}, Case{kSize + 4, 0}, Case{0, kSize + 4},  // out of range
                        Case{4, ~uint64_t{3}}}) {                             // overflowing
    EXPECT_THAT(queue().Fill(*buffer, c.offset, c.size, 0u),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "offset " << c.offset << ", size " << c.size;
  }
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read_back, DownloadBytes(queue(), *buffer));
  EXPECT_EQ(read_back, data);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Fill);

}  // namespace
}  // namespace hal::cts
