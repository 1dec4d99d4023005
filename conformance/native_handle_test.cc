// NativeHandle() (Capability::kNativeHandles): the device, buffers, queues
// and kernels have handles with a kind and a nonzero value; distinct
// buffers and queues have distinct handles and each handle is stable. An
// event's is optional (a driver may have no vendor object for events).
#include <cstdint>
#include <memory>

#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class NativeHandles : public DeviceTest {};

void ExpectWellFormed(const NativeHandle& handle, const char* object) {
  EXPECT_FALSE(handle.kind.empty()) << object;
  EXPECT_NE(handle.value, 0u) << object << " (" << handle.kind << ")";
}

HAL_CTS_COVERS("NativeHandles.EveryObjectHasAWellFormedStableHandle", {"native_handle", "success"});
TEST_P(NativeHandles, EveryObjectHasAWellFormedStableHandle) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kNativeHandles);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle device_handle, device().NativeHandle());
  ExpectWellFormed(device_handle, "device");
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> a, device().Allocate(256));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> b, device().Allocate(256));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle a_handle, a->NativeHandle());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle b_handle, b->NativeHandle());
  ExpectWellFormed(a_handle, "buffer");
  EXPECT_EQ(a_handle.kind, b_handle.kind);
  EXPECT_NE(a_handle.value, b_handle.value) << "two buffers";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle a_again, a->NativeHandle());
  EXPECT_EQ(a_again.value, a_handle.value) << "stable";

  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle queue_handle, queue().NativeHandle());
  ExpectWellFormed(queue_handle, "queue");
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> kernel, LoadKernel("noop"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(NativeHandle kernel_handle, kernel->NativeHandle());
  ExpectWellFormed(kernel_handle, "kernel");
}

TEST_P(NativeHandles, AnEventHasOneOrTheDriverSaysItHasNone) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kNativeHandles);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> event, device().CreateEvent());
  absl::StatusOr<NativeHandle> handle = event->NativeHandle();
  if (handle.ok()) {
    ExpectWellFormed(*handle, "event");
  } else {
    EXPECT_THAT(handle, StatusIs(absl::StatusCode::kUnimplemented));
  }
}

HAL_CTS_COVERS("NativeHandles.UnimplementedWithoutTheCapability",
               {"native_handle", "capability-absent"});
TEST_P(NativeHandles, UnimplementedWithoutTheCapability) {
  if (properties().capabilities.has(Capability::kNativeHandles)) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports the native-handles capability");
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(64));
  EXPECT_THAT(device().NativeHandle(), StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(buffer->NativeHandle(), StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(queue().NativeHandle(), StatusIs(absl::StatusCode::kUnimplemented));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(NativeHandles);

}  // namespace
}  // namespace hal::cts
