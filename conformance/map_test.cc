// Buffer::Map: works on every host-staging buffer, and on device buffers
// exactly when the device says so (device_buffers_mappable); queued work's
// results are seen through the mapping after Synchronize, and what the host
// wrote through it before submitting is what the work reads (hal/buffer.h).
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class Map : public DeviceTest {};

constexpr uint64_t kWords = 4096;
constexpr uint64_t kBytes = kWords * sizeof(uint32_t);

HAL_CTS_COVERS("Map.HostStagingBuffersAreMappable", {"buffer_map", "success"});
TEST_P(Map, HostStagingBuffersAreMappable) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               device().Allocate(kBytes, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, staging->Map());
  EXPECT_NE(host, nullptr);
}

TEST_P(Map, DeviceBuffersAreMappableExactlyWhenThePropertySaysSo) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(kBytes));
  if (properties().device_buffers_mappable) {
    HAL_CTS_EXPECT_OK(buffer->Map());
  } else {
    EXPECT_THAT(buffer->Map(), StatusIs(absl::StatusCode::kUnimplemented));
  }
}

TEST_P(Map, QueuedResultsAreVisibleAfterSynchronize) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               device().Allocate(kBytes, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, staging->Map());
  HAL_CTS_ASSERT_OK(queue().Fill(*staging, 0, kBytes, 0x5eed5eedu));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  std::vector<uint32_t> seen(kWords);
  std::memcpy(seen.data(), host, kBytes);
  EXPECT_TRUE(seen == std::vector<uint32_t>(kWords, 0x5eed5eedu));
}

TEST_P(Map, HostWritesBeforeSubmissionAreReadByTheWork) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               device().Allocate(kBytes, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> target, device().Allocate(kBytes));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* host, staging->Map());
  std::vector<uint32_t> written(kWords);
  for (uint64_t i = 0; i < kWords; ++i) written[i] = static_cast<uint32_t>(i * 2654435761u);
  std::memcpy(host, written.data(), kBytes);
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*staging, 0, *target, 0, kBytes));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint32_t> copied,
                               Download<uint32_t>(queue(), *target, kWords));
  EXPECT_TRUE(copied == written);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Map);

}  // namespace
}  // namespace hal::cts
