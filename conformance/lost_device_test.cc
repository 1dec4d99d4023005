// A lost device context refuses every later call at once with Unavailable
// naming the first failure, instead of reaching a driver whose context is
// gone; releasing its objects still works and frees what they held. The loss
// is injected in front of the driver (hal/fault_injection.h), so this runs on
// every device, on a context of its own.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conformance/device_test.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"
#include "hal/fault_injection.h"

namespace hal::cts {
namespace {

// Unavailable, naming the lost context and the injected first failure.
MATCHER_P(IsLost, label, absl::StrCat(negation ? "isn't" : "is", " the loss of ", label)) {
  const absl::Status& status = StatusOf(arg);
  *result_listener << "whose status is " << status;
  return status.code() == absl::StatusCode::kUnavailable &&
         absl::StrContains(status.message(), absl::StrCat(label, " was lost")) &&
         absl::StrContains(status.message(), "injected fault: device lost");
}

class LostDevice : public DeviceTest {};

TEST_P(LostDevice, EveryCallFailsFastAndReleaseStillWorks) {
  const bool was_enabled = FaultInjectionEnabled();
  SetFaultInjectionEnabled(true);
  absl::Cleanup restore = [was_enabled] { SetFaultInjectionEnabled(was_enabled); };

  constexpr uint32_t kN = 256;
  constexpr uint64_t kBytes = kN * sizeof(float);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Device> lost, physical_device().Open());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> queue, lost->CreateQueue());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> x, lost->Allocate(kBytes));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> y, lost->Allocate(kBytes));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> staging,
                               lost->Allocate(kBytes, BufferKind::kHostStaging));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> saxpy,
                               lost->LoadKernel(kernels(), "saxpy_f32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> start, lost->CreateEvent());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> end, lost->CreateEvent());
  HAL_CTS_ASSERT_OK(queue->Signal(*start));
  HAL_CTS_ASSERT_OK(queue->Signal(*end));
  HAL_CTS_ASSERT_OK(queue->Synchronize());

  HAL_CTS_ASSERT_OK(InjectDeviceLost(*lost));
  EXPECT_THAT(queue->Fill(*x, 0, kBytes, 0u), StatusIs(absl::StatusCode::kUnavailable));

  const auto kLost = IsLost(lost->label());
  std::vector<float> host(kN, 0.0f);
  const BufferBinding bindings[] = {{x.get(), 0}, {y.get(), 0}};
  const GridSize grid{WorkgroupsFor(kN, kElementwiseWorkgroupSize), 1, 1};
  EXPECT_THAT(lost->Allocate(kBytes), kLost);
  EXPECT_THAT(lost->Allocate(kBytes, BufferKind::kHostStaging), kLost);
  EXPECT_THAT(lost->CreateQueue(), kLost);
  EXPECT_THAT(lost->CreateEvent(), kLost);
  EXPECT_THAT(lost->LoadKernel(kernels(), "saxpy_f32"), kLost);
  EXPECT_THAT(lost->LoadKernel(kernels(), "fill_f32"), kLost);
  EXPECT_THAT(staging->Map(), kLost);
  EXPECT_THAT(queue->CopyHostToDevice(host.data(), *x, 0, kBytes), kLost);
  EXPECT_THAT(queue->CopyDeviceToHost(*x, 0, host.data(), kBytes), kLost);
  EXPECT_THAT(queue->CopyBuffer(*x, 0, *y, 0, kBytes), kLost);
  EXPECT_THAT(queue->Fill(*x, 0, kBytes, 0u), kLost);
  EXPECT_THAT(queue->Dispatch(*saxpy, grid, bindings, SaxpyF32Constants{2.0f, kN}), kLost);
  EXPECT_THAT(queue->Signal(*start), kLost);
  EXPECT_THAT(queue->Wait(*start), kLost);
  EXPECT_THAT(queue->Synchronize(), kLost);
  EXPECT_THAT(start->IsComplete(), kLost);
  EXPECT_THAT(start->Wait(), kLost);
  EXPECT_THAT(start->TimestampNs(), kLost);
  EXPECT_THAT(Event::ElapsedNs(*start, *end), kLost);
  EXPECT_TRUE(std::vector<float>(kN, 0.0f) == host) << "a refused copy wrote host memory";

  // Releasing works on a lost context and gives back every byte.
  EXPECT_GT(lost->allocated_bytes(), 0u);
  queue.reset();
  x.reset();
  y.reset();
  staging.reset();
  EXPECT_EQ(lost->allocated_bytes(), 0u);
  saxpy.reset();
  start.reset();
  end.reset();

  // Other contexts of the same physical device carry on.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> healthy, device().Allocate(kBytes));
  HAL_CTS_EXPECT_OK(this->queue().Fill(*healthy, 0, kBytes, 0u));
  HAL_CTS_EXPECT_OK(this->queue().Synchronize());
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(LostDevice);

}  // namespace
}  // namespace hal::cts
