// CopyAlignment: copies in every direction (host to device, device to host,
// device to device, through a host-staging buffer) at every alignment class
// of offset (0, 1, 3, 4, 255, 4096 + 1, and a range ending at the buffer's
// last byte) and of size (1, 3, 4, 255, 4096, 65537; and one large case). Each case checks
// the whole destination: the range holds the source and every byte around it
// keeps its background, which differs from the source at every byte.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/numerics/test_data.h"
#include "conformance/numerics/test_sizes.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// Bytes kept after the range (and before it, for ranges at the end): odd, so
// that the range's end is misaligned too.
constexpr uint64_t kCopyMargin = 67;
// A large range leaves this much of LargeBufferBytes for its offset and margin.
constexpr uint64_t kCopyLargeSlack = 8192;

struct CopyCase {
  // Where the range starts; ignored when at_end.
  uint64_t offset = 0;
  // The range ends at the buffer's last byte (offset = kCopyMargin).
  bool at_end = false;
  // Bytes copied; ignored when large.
  uint64_t size = 0;
  // LargeBufferBytes - kCopyLargeSlack bytes.
  bool large = false;

  std::string Name() const {
    return absl::StrCat(at_end ? std::string("end") : absl::StrCat("offset", offset), "_",
                        large ? std::string("large") : absl::StrCat("size", size));
  }
};

std::vector<CopyCase> CopyCases() {
  std::vector<CopyCase> cases;
  for (uint64_t size : {1, 3, 4, 255, 4096, 65537}) {
    for (uint64_t offset : {0, 1, 3, 4, 255, 4097}) cases.push_back({offset, false, size, false});
    cases.push_back({0, true, size, false});
  }
  // Large once, misaligned at both ends with margins on both sides: the
  // offsets are crossed with every small size already, and a large case costs
  // as much as all the small ones of a device together.
  cases.push_back({1, false, 0, true});
  return cases;
}

// Where the range of a case lies in its buffers, on this device.
struct Layout {
  uint64_t buffer_size, offset, size;
};

class CopyAlignment : public DeviceCaseTest<CopyCase> {
 protected:
  void SetUp() override {
    DeviceCaseTest::SetUp();
    if (IsSkipped()) return;
    const CopyCase& c = test_case();
    const uint64_t size = c.large ? LargeBufferBytes(properties()) - kCopyLargeSlack : c.size;
    ASSERT_GT(size, 0u) << "the device's memory is too small for a large buffer";
    layout_ = c.at_end ? Layout{kCopyMargin + size, kCopyMargin, size}
                       : Layout{c.offset + size + kCopyMargin, c.offset, size};
    background_ = HashBytes(layout_.buffer_size, 1);
    source_ = DifferingFrom(HashBytes(layout_.buffer_size, 2), background_, 0);
  }

  // The range of the source, which the destination's range must hold.
  absl::Span<const uint8_t> SourceRange() const {
    return absl::MakeConstSpan(source_).subspan(layout_.offset, layout_.size);
  }
  ::testing::AssertionResult HoldsTheCopy(absl::Span<const uint8_t> got) const {
    return RangeOverBackground(got, background_, layout_.offset, SourceRange());
  }

  Layout layout_{};
  // What the destination holds first, and what the source holds; they differ
  // at every byte.
  std::vector<uint8_t> background_, source_;
};

TEST_P(CopyAlignment, HostToDevice) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> destination,
                               UploadBytes(device(), queue(), background_));
  // The host pointer is as misaligned as the device offset.
  HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(source_.data() + layout_.offset, *destination,
                                             layout_.offset, layout_.size));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, DownloadBytes(queue(), *destination));
  EXPECT_TRUE(HoldsTheCopy(got));
}

TEST_P(CopyAlignment, DeviceToHost) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> source,
                               UploadBytes(device(), queue(), source_));
  std::vector<uint8_t> got = background_;
  HAL_CTS_ASSERT_OK(
      queue().CopyDeviceToHost(*source, layout_.offset, got.data() + layout_.offset, layout_.size));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  EXPECT_TRUE(HoldsTheCopy(got));
}

TEST_P(CopyAlignment, DeviceToDevice) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> source,
                               UploadBytes(device(), queue(), source_));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> destination,
                               UploadBytes(device(), queue(), background_));
  HAL_CTS_ASSERT_OK(
      queue().CopyBuffer(*source, layout_.offset, *destination, layout_.offset, layout_.size));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, DownloadBytes(queue(), *destination));
  EXPECT_TRUE(HoldsTheCopy(got));
}

// Host to a host-staging buffer, then from it to a device buffer: both
// destinations checked whole.
TEST_P(CopyAlignment, ThroughHostStaging) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               device().Allocate(layout_.buffer_size, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(background_.data(), *staging, 0, layout_.buffer_size));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> destination,
                               UploadBytes(device(), queue(), background_));
  HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(source_.data() + layout_.offset, *staging,
                                             layout_.offset, layout_.size));
  HAL_CTS_ASSERT_OK(
      queue().CopyBuffer(*staging, layout_.offset, *destination, layout_.offset, layout_.size));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, DownloadBytes(queue(), *staging));
  EXPECT_TRUE(HoldsTheCopy(got)) << "the staging buffer";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(got, DownloadBytes(queue(), *destination));
  EXPECT_TRUE(HoldsTheCopy(got)) << "the device buffer";
}

HAL_CTS_COVERS("CopyAlignment.HostToDevice", {"stream_copy_host_to_device", "success"});
HAL_CTS_COVERS("CopyAlignment.DeviceToHost", {"stream_copy_device_to_host", "success"});
HAL_CTS_COVERS("CopyAlignment.DeviceToDevice", {"stream_copy_buffer", "success"});
HAL_CTS_COVERS("CopyAlignment.ThroughHostStaging", {"buffer_allocate", "success"},
               {"stream_copy_host_to_device", "success"}, {"stream_copy_buffer", "success"});

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(CopyAlignment, CopyCases());

}  // namespace
}  // namespace hal::cts
