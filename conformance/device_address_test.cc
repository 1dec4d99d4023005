// Buffer::DeviceAddress (Capability::kDeviceAddress): every buffer has one,
// distinct from every other live buffer's, stable, and aligned to
// min_buffer_alignment.
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class DeviceAddress : public DeviceTest {};

HAL_CTS_COVERS("DeviceAddress.DistinctStableAndAligned", {"buffer_device_address", "success"});
TEST_P(DeviceAddress, DistinctStableAndAligned) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kDeviceAddress);
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::set<uint64_t> addresses;
  for (const uint64_t size : {1ull, 100ull, 4096ull, 1ull << 20}) {
    for (const BufferKind kind : {BufferKind::kDevice, BufferKind::kHostStaging}) {
      HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size, kind));
      HAL_CTS_ASSERT_OK_AND_ASSIGN(uint64_t address, buffer->DeviceAddress());
      EXPECT_NE(address, 0u);
      EXPECT_EQ(address % properties().min_buffer_alignment, 0u) << size;
      EXPECT_TRUE(addresses.insert(address).second) << "two live buffers share " << address;
      buffers.push_back(std::move(buffer));
    }
  }
  // Work on a buffer does not move it.
  HAL_CTS_ASSERT_OK(queue().Fill(*buffers.back(), 0, 1 << 20, 1));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(uint64_t again, buffers.back()->DeviceAddress());
  EXPECT_EQ(addresses.count(again), 1u);
}

HAL_CTS_COVERS("DeviceAddress.UnimplementedWithoutTheCapability",
               {"buffer_device_address", "capability-absent"});
TEST_P(DeviceAddress, UnimplementedWithoutTheCapability) {
  if (properties().capabilities.has(Capability::kDeviceAddress)) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports the device-address capability");
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(64));
  EXPECT_THAT(buffer->DeviceAddress(), StatusIs(absl::StatusCode::kUnimplemented));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(DeviceAddress);

}  // namespace
}  // namespace hal::cts
