// Device: allocation accounting and errors, kernel loading errors, and the
// lifetime rules (objects keep their device alive; queues keep buffers alive).
#include <limits>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

using DeviceTest = testing::CpuDeviceTest;

TEST(DevicePropertiesTest, RoundsUpToTheAllocationGranularity) {
  DeviceProperties props;
  props.allocation_granularity = 4096;
  EXPECT_EQ(props.RoundedToAllocationGranularity(0), 0u);
  EXPECT_EQ(props.RoundedToAllocationGranularity(1), 4096u);
  EXPECT_EQ(props.RoundedToAllocationGranularity(4096), 4096u);
  EXPECT_EQ(props.RoundedToAllocationGranularity(4097), 8192u);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(props.RoundedToAllocationGranularity(kMax - 4095), kMax - 4095) << "2^64 - 4096";
  EXPECT_EQ(props.RoundedToAllocationGranularity(kMax - 4093), kMax) << "saturates, never wraps";
  props.allocation_granularity = 0;  // as default-constructed: no rounding
  EXPECT_EQ(props.RoundedToAllocationGranularity(4097), 4097u);
}

TEST_F(DeviceTest, AnAllocationIsChargedItsSizeRoundedToTheGranularity) {
  const DeviceProperties& props = physical_->properties();
  const uint64_t size = props.allocation_granularity + 1;
  const uint64_t baseline = device_->allocated_bytes();
  std::shared_ptr<Buffer> buffer = MustAllocate(size);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(buffer->allocated_size(), props.RoundedToAllocationGranularity(size));
  EXPECT_EQ(device_->allocated_bytes() - baseline, buffer->allocated_size());
}

// Enqueues the standard fill_f32 kernel over the first n (a multiple of 256)
// floats of `out`.
absl::Status Fill(Queue& queue, const Kernel& fill_f32, const Buffer& out, uint32_t n,
                  float value) {
  struct {
    float value;
    uint32_t n;
  } constants{value, n};
  const BufferBinding bindings[] = {{&out, 0}};
  return queue.Dispatch(fill_f32, {n / 256, 1, 1}, bindings, constants);
}

TEST_F(DeviceTest, AllocatedBytesIsTheSumOfLiveAllocations) {
  const uint64_t baseline = device_->allocated_bytes();
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t expected = baseline;
  for (uint64_t size : {1ull, 3ull, 4096ull, 1ull << 20, 12345ull}) {
    buffers.push_back(MustAllocate(size));
    ASSERT_NE(buffers.back(), nullptr);
    EXPECT_GE(buffers.back()->allocated_size(), size);
    EXPECT_EQ(buffers.back()->allocated_size() % physical_->properties().allocation_granularity,
              0u);
    expected += buffers.back()->allocated_size();
    EXPECT_EQ(device_->allocated_bytes(), expected);
  }
  buffers.clear();
  EXPECT_EQ(device_->allocated_bytes(), baseline);
}

TEST_F(DeviceTest, ZeroAndOversizedAllocationsFailWithoutCharging) {
  const uint64_t baseline = device_->allocated_bytes();
  auto zero = device_->Allocate(0);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), HasSubstr("0 bytes"));
  const uint64_t huge = physical_->properties().memory_bytes + 1;
  auto too_big = device_->Allocate(huge);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(too_big.status().message(), HasSubstr(std::to_string(huge)));
  EXPECT_EQ(device_->allocated_bytes(), baseline);
  EXPECT_NE(MustAllocate(16), nullptr);  // still usable
}

TEST_F(DeviceTest, UnknownKernelIsNotFoundListingTheBundle) {
  auto kernel = device_->LoadKernel(*bundle_, "no_such_kernel");
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(kernel.status().message(), HasSubstr("saxpy_f32"));
}

TEST_F(DeviceTest, BundleWithoutAnImageForTheDeviceIsNotFound) {
  KernelInfo info;
  info.name = "k";
  KernelImage image;
  image.format = "spirv-vulkan";
  image.data = {0x03, 0x02, 0x23, 0x07};
  auto bundle = KernelBundle::Create({info}, {image});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto kernel = device_->LoadKernel(*bundle, "k");
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(kernel.status().message(), HasSubstr("spirv-vulkan"));
  EXPECT_THAT(kernel.status().message(), HasSubstr("cpu-elf"));
}

TEST_F(DeviceTest, ImageTheDriverRejectsIsInvalidArgument) {
  KernelInfo info;
  info.name = "k";
  KernelImage image;
  image.format = physical_->properties().kernel_formats.front();
  image.data = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'E', 'L', 'F'};
  auto bundle = KernelBundle::Create({info}, {image});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto kernel = device_->LoadKernel(*bundle, "k");
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel.status().message(), HasSubstr("cpu driver"));
  // A failed load is not cached: the standard bundle still loads.
  EXPECT_NE(MustLoad("noop"), nullptr);
}

TEST_F(DeviceTest, PartitionsAreRefusedOnDevicesWithout) {
  ASSERT_EQ(physical_->properties().partition.kind, PartitionKind::kNone);
  DeviceOptions options;
  options.partition_units = 1;
  auto device = physical_->Open(options);
  EXPECT_EQ(device.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(device.status().message(), HasSubstr("no compute partitions"));
}

TEST_F(DeviceTest, QueueKeepsBuffersAliveUntilItsWorkCompletes) {
  auto kernel = MustLoad("fill_f32");
  ASSERT_NE(kernel, nullptr);
  const uint32_t n = 1 << 20;
  auto out = MustAllocate(n * sizeof(float));
  ASSERT_NE(out, nullptr);
  const uint64_t charged = device_->allocated_bytes();
  ASSERT_TRUE(Fill(*queue_, *kernel, *out, n, 2.5f).ok());
  out.reset();  // the user lets go while the dispatch may still run
  EXPECT_EQ(device_->allocated_bytes(), charged);
  ASSERT_TRUE(queue_->Synchronize().ok());
  EXPECT_LT(device_->allocated_bytes(), charged);
}

TEST_F(DeviceTest, ObjectsOutliveTheDeviceHandle) {
  auto buffer = MustAllocate(256);
  auto kernel = MustLoad("noop");
  ASSERT_TRUE(buffer && kernel);
  device_.reset();
  // The queue, buffer and kernel keep the context alive and usable.
  std::vector<uint8_t> bytes(256, 9), back(256, 0);
  ASSERT_TRUE(queue_->CopyHostToDevice(bytes.data(), *buffer, 0, 256).ok());
  ASSERT_TRUE(queue_->Dispatch(*kernel, {1, 1, 1}, {}).ok());
  ASSERT_TRUE(queue_->CopyDeviceToHost(*buffer, 0, back.data(), 256).ok());
  ASSERT_TRUE(queue_->Synchronize().ok());
  EXPECT_EQ(back, bytes);
}

// Destroying the runtime first is survived: every object keeps its driver
// loaded (and its physical device valid) until the last of them is released.
// Run under ASan, a use of an unloaded driver or freed runtime state fails it.
TEST_F(DeviceTest, ObjectsOutliveTheRuntime) {
  auto kernel = MustLoad("fill_f32");
  auto event = device_->CreateEvent();
  ASSERT_TRUE(kernel && event.ok());
  runtime_.reset();
  physical_ = nullptr;

  EXPECT_EQ(device_->physical_device().id(), "cpu:0");
  EXPECT_EQ(device_->physical_device().driver_name(), "cpu");
  EXPECT_TRUE(device_->physical_device().QueryFreeMemory().ok());
  const uint32_t n = 1024;
  auto out = MustAllocate(n * sizeof(float));
  ASSERT_NE(out, nullptr);
  ASSERT_TRUE(Fill(*queue_, *kernel, *out, n, 2.5f).ok());
  ASSERT_TRUE(queue_->Signal(**event).ok());
  std::vector<float> back(n, 0.0f);
  ASSERT_TRUE(queue_->CopyDeviceToHost(*out, 0, back.data(), n * sizeof(float)).ok());
  ASSERT_TRUE(queue_->Synchronize().ok());
  EXPECT_EQ(back, std::vector<float>(n, 2.5f));
  EXPECT_TRUE((*event)->TimestampNs().ok());
  auto second_queue = device_->CreateQueue();
  EXPECT_TRUE(second_queue.ok()) << second_queue.status();
  // Released in an order that leaves the device last; TearDown drops the rest.
  out.reset();
  kernel.reset();
  event->reset();
  device_.reset();
}

TEST_F(DeviceTest, LabelsTellContextsApart) {
  auto other = physical_->Open();
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->label(), device_->label());
  EXPECT_THAT(device_->label(), HasSubstr("cpu:0#"));
  EXPECT_EQ(&(*other)->physical_device(), physical_);
  EXPECT_EQ(device_->partition_units(), physical_->properties().partition.max_units == 0
                                            ? device_->partition_units()
                                            : physical_->properties().partition.max_units);
}

}  // namespace
}  // namespace hal
