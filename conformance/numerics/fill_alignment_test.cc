// FillAlignment: fills at offsets (0, 4, 252, 4096, 65536 + 4) and sizes (4,
// 252, 4096, 65536 + 4; and one large case), all multiples of 4 as fills require, with the
// patterns 0, 0xFFFFFFFF and 0x01020304 (which shows byte order: it must land
// as 04 03 02 01). Each case checks the whole buffer: the range holds the
// pattern and every byte around it keeps a background that differs from the
// pattern at every byte.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/numerics/test_data.h"
#include "conformance/numerics/test_sizes.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// Bytes after the range; not a multiple of 4, as a buffer's size need not be.
constexpr uint64_t kFillMargin = 67;
// A large range leaves this much of LargeBufferBytes for its offset and margin.
constexpr uint64_t kFillLargeSlack = 8192;

struct FillCase {
  uint64_t offset = 0;
  // Bytes filled; ignored when large.
  uint64_t size = 0;
  // LargeBufferBytes - kFillLargeSlack bytes.
  bool large = false;
  uint32_t pattern = 0;

  std::string Name() const {
    return absl::StrCat("offset", offset, "_",
                        large ? std::string("large") : absl::StrCat("size", size), "_",
                        absl::StrFormat("pattern%08X", pattern));
  }
};

std::vector<FillCase> FillCases() {
  std::vector<FillCase> cases;
  for (uint32_t pattern : {0x00000000u, 0xFFFFFFFFu, 0x01020304u}) {
    for (uint64_t size : {4, 252, 4096, 65540}) {
      for (uint64_t offset : {0, 4, 252, 4096, 65540}) {
        cases.push_back({offset, size, false, pattern});
      }
    }
  }
  // Large once, misaligned to 8 and 16 bytes and with the byte-order pattern:
  // the patterns are crossed with every small size already, and a large case
  // costs as much as all the small ones of a device together.
  cases.push_back({4, 0, true, 0x01020304u});
  return cases;
}

class FillAlignment : public DeviceCaseTest<FillCase> {};

TEST_P(FillAlignment, TouchesExactlyItsRange) {
  const FillCase& c = test_case();
  const uint64_t size = c.large ? LargeBufferBytes(properties()) - kFillLargeSlack : c.size;
  ASSERT_GT(size, 0u) << "the device's memory is too small for a large buffer";
  const uint64_t buffer_size = c.offset + size + kFillMargin;
  // The background differs at every byte from the pattern as a fill of the
  // whole buffer would lay it (offsets are multiples of 4, so in phase), so a
  // word the fill skipped always shows.
  const std::vector<uint8_t> background =
      DifferingFrom(HashBytes(buffer_size, 3), RepeatedPattern(c.pattern, buffer_size), 0);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                               UploadBytes(device(), queue(), background));
  HAL_CTS_ASSERT_OK(queue().Fill(*buffer, c.offset, size, c.pattern));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, DownloadBytes(queue(), *buffer));
  EXPECT_TRUE(RangeOverBackground(got, background, c.offset, RepeatedPattern(c.pattern, size)));
}

HAL_CTS_COVERS("FillAlignment.TouchesExactlyItsRange", {"stream_fill", "success"});

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(FillAlignment, FillCases());

}  // namespace
}  // namespace hal::cts
