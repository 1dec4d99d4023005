// The OpenCL driver through its C ABI on the machine's OpenCL device (pocl in
// CI): properties, contexts and sub-device partitions, memory, copies, fills,
// events, stream queries and native handles.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "backends/opencl/opencl_driver_abi_fixture.h"

namespace hal::opencl_abi_test {
namespace {

TEST_F(OpenClDriverAbiTest, PropertiesDescribeAnOpenClDevice) {
  const hal_device_properties props = Properties();
  EXPECT_THAT(std::string(props.kernel_formats), HasSubstr("opencl-c"));
  EXPECT_EQ(props.capabilities, static_cast<uint32_t>(HAL_CAPABILITY_HOST_REGISTRATION |
                                                      HAL_CAPABILITY_NATIVE_HANDLES));
  EXPECT_NE(std::string(props.name), "");
  EXPECT_NE(std::string(props.vendor), "");
  EXPECT_GE(props.compute_units, 1u);
  EXPECT_GT(props.total_memory_bytes, 0u);
  EXPECT_GE(props.max_workgroup_invocations, 1u);
  EXPECT_GT(props.binding_offset_alignment, 0u);
  EXPECT_GE(props.timestamp_resolution_ns, 1u);
  EXPECT_EQ(props.partition_max_units, props.compute_units);
  EXPECT_EQ(props.uuid[6] >> 4, 8)
      << "a derived UUID is version 8 (pocl has no cl_khr_device_uuid)";
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS);
  EXPECT_EQ(total_bytes, props.total_memory_bytes);
  EXPECT_LE(free_bytes, total_bytes);
}

TEST_F(OpenClDriverAbiTest, UnusableDevicesHaveANameAndAReason) {
  for (uint32_t i = 0; i < table_->unusable_device_count(); ++i) {
    const char* name = nullptr;
    const char* reason = nullptr;
    table_->unusable_device_get(i, &name, &reason);
    EXPECT_NE(std::string(name), "");
    EXPECT_NE(std::string(reason), "");
  }
}

TEST_F(OpenClDriverAbiTest, AllocatedBytesCountAgainstFreeMemory) {
  uint64_t before = 0;
  uint64_t total = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &before, &total), HAL_SUCCESS);
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 1000, &buffer, &allocated), HAL_SUCCESS);
  EXPECT_EQ(allocated % Properties().allocation_granularity, 0u);
  uint64_t during = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &during, &total), HAL_SUCCESS);
  EXPECT_EQ(before - during, allocated);
  table_->buffer_free(context_, buffer);
  uint64_t after = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &after, &total), HAL_SUCCESS);
  EXPECT_EQ(after, before);
}

TEST_F(OpenClDriverAbiTest, MoreThanTheDeviceHoldsIsOutOfMemory) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  const uint64_t too_many = Properties().total_memory_bytes;
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, too_many, &buffer, &allocated),
            HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("CL_DEVICE_MAX_MEM_ALLOC_SIZE"));
}

TEST_F(OpenClDriverAbiTest, CopiesAndFillsRoundTrip) {
  std::vector<float> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  hal_drv_buffer* device = Upload(values);
  hal_drv_buffer* copy = Allocate(values.size() * sizeof(float));
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, copy, 0, values.size() * sizeof(float)),
            HAL_SUCCESS);
  // 1.5f over elements 100..199 of the copy.
  ASSERT_EQ(table_->stream_fill(stream_, copy, 400, 400, 0x3fc00000u), HAL_SUCCESS);
  const std::vector<float> got = Download(copy, values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(got[i], i >= 100 && i < 200 ? 1.5f : values[i]) << i;
  }
}

TEST_F(OpenClDriverAbiTest, StagingBuffersAreMappedAndCopyBothWays) {
  constexpr uint64_t kBytes = 4096;
  hal_drv_buffer* staging = Allocate(kBytes, HAL_BUFFER_HOST_STAGING);
  void* host = nullptr;
  ASSERT_EQ(table_->buffer_map(context_, staging, &host), HAL_SUCCESS);
  std::memset(host, 0x5a, kBytes);
  hal_drv_buffer* device = Allocate(kBytes);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, staging, 0, device, 0, kBytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, device, 0, 64, 0x01020304u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, staging, 0, kBytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  const auto* bytes = static_cast<const uint8_t*>(host);
  EXPECT_EQ(bytes[0], 0x04);
  EXPECT_EQ(bytes[3], 0x01);
  EXPECT_EQ(bytes[64], 0x5a);
  EXPECT_EQ(bytes[kBytes - 1], 0x5a);
}

TEST_F(OpenClDriverAbiTest, DeviceBuffersAreNotMappable) {
  hal_drv_buffer* device = Allocate(256);
  void* host = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, device, &host), HAL_ERROR_UNSUPPORTED);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("staging"));
}

TEST_F(OpenClDriverAbiTest, RegisteredHostMemoryIsCopiedFromAndInto) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* memory = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  std::memset(memory, 7, page);
  const hal_host_registration_desc desc{HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC, nullptr, memory,
                                        page};
  hal_drv_buffer* registered = nullptr;
  ASSERT_EQ(table_->host_register(context_, &desc, &registered), HAL_SUCCESS)
      << table_->last_error_message();
  void* mapped = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, registered, &mapped), HAL_SUCCESS);
  EXPECT_EQ(mapped, memory);
  hal_drv_buffer* device = Allocate(page);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, registered, 0, device, 0, page), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, device, 0, 4, 0x09090909u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, registered, 0, page), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(static_cast<uint8_t*>(memory)[0], 9);
  EXPECT_EQ(static_cast<uint8_t*>(memory)[4], 7);
  table_->buffer_free(context_, registered);
  munmap(memory, page);
}

TEST_F(OpenClDriverAbiTest, EventsCarryIncreasingDeviceTimestamps) {
  hal_drv_event* first = nullptr;
  hal_drv_event* second = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &first), HAL_SUCCESS);
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &second), HAL_SUCCESS);
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_timestamp_ns(first, &ns), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
  hal_drv_buffer* buffer = Allocate(1 << 20);
  ASSERT_EQ(table_->stream_signal_event(stream_, first), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, second), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(second), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(first), HAL_SUCCESS);
  uint64_t first_ns = 0;
  uint64_t second_ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(first, &first_ns), HAL_SUCCESS);
  ASSERT_EQ(table_->event_timestamp_ns(second, &second_ns), HAL_SUCCESS);
  EXPECT_GT(first_ns, 0u);
  EXPECT_GE(second_ns, first_ns);
  // Signalling again moves the event to the new point.
  ASSERT_EQ(table_->stream_signal_event(stream_, first), HAL_SUCCESS);
  uint64_t again_ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(first, &again_ns), HAL_SUCCESS);
  EXPECT_GE(again_ns, second_ns);
  table_->event_destroy(first);
  table_->event_destroy(second);
}

TEST_F(OpenClDriverAbiTest, AnEventNeverSignalledIsNotReadyAndCannotBeWaitedFor) {
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(event), HAL_NOT_READY);
  EXPECT_EQ(table_->event_synchronize(event), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
  EXPECT_EQ(table_->stream_wait_event(stream_, event), HAL_ERROR_FAILED_PRECONDITION);
  hal_native_handle handle{};
  EXPECT_EQ(table_->native_handle(context_, HAL_OBJECT_EVENT, event, &handle),
            HAL_ERROR_UNSUPPORTED);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("no stable native handle"));
  table_->event_destroy(event);
}

TEST_F(OpenClDriverAbiTest, AStreamWaitsForAnotherStreamsEvent) {
  hal_drv_stream* other = nullptr;
  ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &other), HAL_SUCCESS);
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
  hal_drv_buffer* buffer = Allocate(1 << 20);
  ASSERT_EQ(table_->stream_fill(other, buffer, 0, 1 << 20, 0x3f800000u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(other, event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(stream_, event), HAL_SUCCESS);
  const std::vector<float> got = Download(buffer, 4, (1 << 20) - 16);
  EXPECT_EQ(got, std::vector<float>(4, 1.0f));
  table_->event_destroy(event);
  table_->stream_destroy(other);
}

TEST_F(OpenClDriverAbiTest, StreamQueryAnswersSuccessOnceWorkCompleted) {
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS) << "an idle stream";
  hal_drv_buffer* buffer = Allocate(1 << 20);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 0), HAL_SUCCESS);
  const hal_result pending = table_->stream_query(stream_);
  EXPECT_TRUE(pending == HAL_SUCCESS || pending == HAL_NOT_READY) << pending;
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS);
  // Complete once the event signalled last is.
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 1), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, event), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS);
  table_->event_destroy(event);
}

TEST_F(OpenClDriverAbiTest, NativeHandlesNameOpenClTypes) {
  hal_drv_buffer* buffer = Allocate(64);
  EXPECT_EQ(NativeHandle(HAL_OBJECT_CONTEXT, context_).kind, std::string("cl_context"));
  EXPECT_EQ(NativeHandle(HAL_OBJECT_BUFFER, buffer).kind, std::string("cl_mem"));
  EXPECT_EQ(NativeHandle(HAL_OBJECT_STREAM, stream_).kind, std::string("cl_command_queue"));
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(NativeHandle(HAL_OBJECT_MODULE, module).kind, std::string("cl_program"));
  const hal_native_handle kernel = NativeHandle(HAL_OBJECT_KERNEL, ScaleKernel(module));
  EXPECT_EQ(kernel.kind, std::string("cl_kernel"));
  EXPECT_NE(kernel.value, 0u);
}

// Contexts of sub-devices: the grants never overlap, so as many one-unit
// partitions as the device has units open, and one more does not.
TEST_F(OpenClDriverAbiTest, SubdevicePartitionsHoldDistinctComputeUnits) {
  const hal_device_properties props = Properties();
  if (props.partition_kind != HAL_PARTITION_SUBDEVICE) {
    GTEST_SKIP() << "the device has no sub-device partitions by counts";
  }
  const hal_context_desc one{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 1, 0};
  std::vector<hal_drv_context*> contexts(props.partition_max_units);
  for (hal_drv_context*& context : contexts) {
    ASSERT_EQ(table_->context_create(0, &one, &context), HAL_SUCCESS)
        << table_->last_error_message();
    uint32_t units = 0;
    ASSERT_EQ(table_->context_get_partition(context, &units), HAL_SUCCESS);
    EXPECT_EQ(units, 1u);
  }
  hal_drv_context* refused = nullptr;
  EXPECT_EQ(table_->context_create(0, &one, &refused), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("0 of"));
  // A partition runs kernels on its sub-device.
  hal_drv_stream* stream = nullptr;
  ASSERT_EQ(table_->stream_create(contexts[0], &kStreamDesc, &stream), HAL_SUCCESS);
  hal_drv_buffer* buffer = nullptr;
  const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, HAL_BUFFER_DEVICE, 0, 256};
  uint64_t allocated = 0;
  ASSERT_EQ(table_->buffer_allocate(contexts[0], &desc, &buffer, &allocated), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream, buffer, 0, 256, 7), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  table_->stream_destroy(stream);
  table_->buffer_free(contexts[0], buffer);
  for (hal_drv_context* context : contexts) table_->context_destroy(context);
  // The units are free again.
  hal_drv_context* again = nullptr;
  ASSERT_EQ(table_->context_create(0, &one, &again), HAL_SUCCESS);
  table_->context_destroy(again);
}

TEST_F(OpenClDriverAbiTest, AContextWithoutAPartitionGetsEveryUnit) {
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(context_, &units), HAL_SUCCESS);
  EXPECT_EQ(units, Properties().partition_max_units);
}

}  // namespace
}  // namespace hal::opencl_abi_test
