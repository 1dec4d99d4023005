// Error paths a user can reach: objects of another device context, unknown
// kernels, wrong dispatch arguments. Each returns its status code, enqueues
// nothing, and leaves the queue and its buffers as they were.
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/device_test.h"
#include "conformance/reference_kernels.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class ErrorPaths : public DeviceTest {
 protected:
  static constexpr uint32_t kN = 1024;

  // saxpy_f32 over two buffers of this test, ready to be misused.
  void SetUp() override {
    DeviceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    HAL_CTS_ASSERT_OK_AND_ASSIGN(saxpy_, LoadKernel("saxpy_f32"));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(x_, Upload<float>(device(), queue(), x_data_));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(y_, Upload<float>(device(), queue(), y_data_));
  }

  // The dispatch arguments that are right, for tests to spoil one at a time.
  std::vector<BufferBinding> GoodBindings() const { return {{x_.get(), 0}, {y_.get(), 0}}; }
  static constexpr GridSize kGoodGrid{WorkgroupsFor(kN, kElementwiseWorkgroupSize), 1, 1};
  static constexpr SaxpyF32Constants kGoodConstants{2.0f, kN};

  // Nothing was enqueued by the failed calls: the queue synchronizes cleanly
  // and the buffers hold what they held.
  void ExpectUndisturbed() {
    HAL_CTS_ASSERT_OK(queue().Synchronize());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> x, Download<float>(queue(), *x_, kN));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> y, Download<float>(queue(), *y_, kN));
    EXPECT_EQ(x, x_data_);
    EXPECT_EQ(y, y_data_);
  }

  const std::vector<float> x_data_ = RandomFloats(kN, 11);
  const std::vector<float> y_data_ = RandomFloats(kN, 12);
  std::shared_ptr<Kernel> saxpy_;
  std::shared_ptr<Buffer> x_, y_;
};

const auto kInvalidArgument = StatusIs(absl::StatusCode::kInvalidArgument);

TEST_P(ErrorPaths, ObjectsOfAnotherContextAreInvalidArgument) {
  // A second context of the same physical device: its objects are foreign to
  // this test's queue even though the hardware is the same.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Device> other, physical_device().Open());
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Queue> other_queue, other->CreateQueue());
  const std::vector<float> foreign_data = RandomFloats(kN, 13);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> foreign,
                               Upload<float>(*other, *other_queue, foreign_data));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Kernel> foreign_kernel,
                               other->LoadKernel(kernels(), "saxpy_f32"));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> foreign_event, other->CreateEvent());
  HAL_CTS_ASSERT_OK(other_queue->Signal(*foreign_event));
  HAL_CTS_ASSERT_OK(other_queue->Synchronize());

  const uint64_t bytes = kN * sizeof(float);
  std::vector<float> host(kN, 0.0f);
  EXPECT_THAT(queue().CopyHostToDevice(host.data(), *foreign, 0, bytes), kInvalidArgument);
  EXPECT_THAT(queue().CopyDeviceToHost(*foreign, 0, host.data(), bytes), kInvalidArgument);
  EXPECT_THAT(queue().CopyBuffer(*x_, 0, *foreign, 0, bytes), kInvalidArgument);
  EXPECT_THAT(queue().CopyBuffer(*foreign, 0, *y_, 0, bytes), kInvalidArgument);
  EXPECT_THAT(queue().Fill(*foreign, 0, bytes, 0u), kInvalidArgument);
  const BufferBinding foreign_binding[] = {{x_.get(), 0}, {foreign.get(), 0}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, foreign_binding, kGoodConstants),
              kInvalidArgument);
  EXPECT_THAT(queue().Dispatch(*foreign_kernel, kGoodGrid, GoodBindings(), kGoodConstants),
              kInvalidArgument);
  EXPECT_THAT(queue().Signal(*foreign_event), kInvalidArgument);
  EXPECT_THAT(queue().Wait(*foreign_event), kInvalidArgument);

  // Events of two contexts have no common clock.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Event> own_event, device().CreateEvent());
  HAL_CTS_ASSERT_OK(queue().Signal(*own_event));
  HAL_CTS_ASSERT_OK(own_event->Wait());
  EXPECT_THAT(Event::ElapsedNs(*own_event, *foreign_event), kInvalidArgument);

  ExpectUndisturbed();
  EXPECT_TRUE(std::vector<float>(kN, 0.0f) == host) << "a refused copy wrote host memory";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> foreign_now,
                               Download<float>(*other_queue, *foreign, kN));
  EXPECT_EQ(foreign_now, foreign_data);
}

TEST_P(ErrorPaths, UnknownKernelIsNotFound) {
  EXPECT_THAT(device().LoadKernel(kernels(), "no_such_kernel"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(device().LoadKernel(kernels(), ""), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ErrorPaths, BundleWithoutAFormatOfTheDeviceIsNotFound) {
  KernelInfo info;
  info.name = "foreign_format";
  KernelImage image;
  image.format = "no-such-format:v0";
  image.data = {0x00, 0x01, 0x02, 0x03};
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const KernelBundle bundle, KernelBundle::Create({info}, {image}));
  EXPECT_THAT(device().LoadKernel(bundle, "foreign_format"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ErrorPaths, WorkgroupLargerThanTheDeviceIsInvalidArgument) {
  const uint32_t limit = properties().max_workgroup_size[0];
  if (limit == std::numeric_limits<uint32_t>::max()) {
    HAL_CTS_SKIP_UNSUPPORTED("the device has no workgroup size limit to exceed");
  }
  KernelInfo info;
  info.name = "too_wide";
  info.workgroup_size = {limit + 1, 1, 1};
  KernelImage image;
  image.format = properties().kernel_formats.front();
  image.data = {0x00};
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const KernelBundle bundle, KernelBundle::Create({info}, {image}));
  EXPECT_THAT(device().LoadKernel(bundle, "too_wide"), kInvalidArgument);
}

TEST_P(ErrorPaths, WrongBindingCountIsInvalidArgument) {
  const BufferBinding one[] = {{x_.get(), 0}};
  const BufferBinding three[] = {{x_.get(), 0}, {y_.get(), 0}, {y_.get(), 0}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, {}, kGoodConstants), kInvalidArgument);
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, one, kGoodConstants), kInvalidArgument);
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, three, kGoodConstants), kInvalidArgument);
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, WrongPushConstantSizeIsInvalidArgument) {
  const std::vector<BufferBinding> bindings = GoodBindings();
  const std::vector<uint8_t> bytes(kMaxPushConstantSize + 4, 0);
  for (size_t size : {size_t{0}, size_t{4}, size_t{12}, size_t{kMaxPushConstantSize + 4}}) {
    EXPECT_THAT(
        queue().Dispatch(*saxpy_, kGoodGrid, bindings, absl::MakeConstSpan(bytes).first(size)),
        kInvalidArgument)
        << size << " bytes of push constants";
  }
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, GridWithAZeroDimensionIsInvalidArgument) {
  const std::vector<BufferBinding> bindings = GoodBindings();
  for (const GridSize& grid : {GridSize{0, 1, 1}, GridSize{4, 0, 1}, GridSize{4, 1, 0}}) {
    EXPECT_THAT(queue().Dispatch(*saxpy_, grid, bindings, kGoodConstants), kInvalidArgument)
        << "grid " << grid.x << "x" << grid.y << "x" << grid.z;
  }
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, GridBeyondTheDeviceLimitIsInvalidArgument) {
  const uint32_t limit = properties().max_workgroup_count[1];
  if (limit == std::numeric_limits<uint32_t>::max()) {
    HAL_CTS_SKIP_UNSUPPORTED("the device has no workgroup count limit to exceed");
  }
  EXPECT_THAT(queue().Dispatch(*saxpy_, GridSize{1, limit + 1, 1}, GoodBindings(), kGoodConstants),
              kInvalidArgument);
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, BindingWithoutABufferIsInvalidArgument) {
  const BufferBinding bindings[] = {{x_.get(), 0}, {nullptr, 0}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, bindings, kGoodConstants), kInvalidArgument);
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, MisalignedBindingOffsetIsInvalidArgument) {
  const uint64_t alignment = properties().binding_offset_alignment;
  if (alignment <= 1) {
    HAL_CTS_SKIP_UNSUPPORTED("binding offsets need no alignment on this device");
  }
  const BufferBinding bindings[] = {{x_.get(), 0}, {y_.get(), alignment / 2}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, bindings, kGoodConstants), kInvalidArgument);
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, BindingOffsetOutsideTheBufferIsInvalidArgument) {
  const uint64_t alignment = properties().binding_offset_alignment;
  // The first aligned offset at or past the end of the buffer.
  const uint64_t past_end = (y_->size() + alignment - 1) / alignment * alignment;
  const BufferBinding bindings[] = {{x_.get(), 0}, {y_.get(), past_end}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, bindings, kGoodConstants), kInvalidArgument);
  ExpectUndisturbed();
}

TEST_P(ErrorPaths, QueueWorksAfterRefusedCalls) {
  const BufferBinding bad[] = {{x_.get(), 0}, {nullptr, 0}};
  EXPECT_THAT(queue().Dispatch(*saxpy_, kGoodGrid, bad, kGoodConstants), kInvalidArgument);
  EXPECT_THAT(queue().Fill(*y_, 2, 4, 0u), kInvalidArgument);
  // The same queue then runs good work correctly.
  HAL_CTS_ASSERT_OK(queue().Dispatch(*saxpy_, kGoodGrid, GoodBindings(), kGoodConstants));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<float> y, Download<float>(queue(), *y_, kN));
  EXPECT_TRUE(MatchesReference(y, SaxpyReference(kGoodConstants.a, x_data_, y_data_)));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(ErrorPaths);

}  // namespace
}  // namespace hal::cts
