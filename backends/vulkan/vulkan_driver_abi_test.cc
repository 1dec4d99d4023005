// The Vulkan driver through its C ABI: properties, contexts, stream queries,
// native handles, memory, copies and fills.
#include "backends/vulkan/vulkan_driver_abi_fixture.h"

namespace hal::vulkan_abi_test {
namespace {

TEST_F(VulkanDriverAbiTest, PropertiesDescribeAVulkanDevice) {
  const hal_device_properties props = Properties();
  EXPECT_STREQ(props.kernel_formats, "spirv-vulkan");
  EXPECT_EQ(props.partition_kind, HAL_PARTITION_NONE);
  EXPECT_EQ(props.partition_min_units, 1u);
  EXPECT_EQ(props.partition_alignment, 1u);
  EXPECT_EQ(props.partition_max_units, 1u);
  // Host registration too where the device has VK_EXT_external_memory_host
  // (vulkan_host_registration_abi_test.cc).
  EXPECT_EQ(props.capabilities & ~static_cast<uint32_t>(HAL_CAPABILITY_HOST_REGISTRATION),
            static_cast<uint32_t>(HAL_CAPABILITY_NATIVE_HANDLES));
  EXPECT_STREQ(props.architecture, "") << "Vulkan names no instruction set";
  // From VK_EXT_pci_bus_info where the device has it (not lavapipe).
  const std::string pci = props.pci_bus_id;
  if (!pci.empty()) {
    EXPECT_THAT(pci, ::testing::MatchesRegex("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]"));
  }
  EXPECT_GT(props.total_memory_bytes, 0u);
  EXPECT_GE(props.max_workgroup_invocations, 128u);
  EXPECT_GE(props.max_workgroup_count[0], 65535u);
  EXPECT_GT(props.binding_offset_alignment, 0u);
  EXPECT_EQ(props.min_buffer_alignment % props.binding_offset_alignment, 0u);
  EXPECT_GE(props.timestamp_resolution_ns, 1u);
  EXPECT_NE(std::string(props.vendor), "");
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS);
  EXPECT_EQ(total_bytes, props.total_memory_bytes);
  EXPECT_LE(free_bytes, total_bytes);
}

// A virtual device's context asks for robust buffer access, which the device
// may or may not have; either way the context opens. A chained struct the
// driver does not know is skipped.
TEST_F(VulkanDriverAbiTest, ContextsOpenForVirtualDevicesAndWithUnknownChainedStructs) {
  const hal_chain_header unknown{static_cast<hal_structure_type>(0x7fff), nullptr};
  const hal_context_desc isolated{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0,
                                  HAL_CONTEXT_FLAG_VIRTUAL_DEVICE};
  const hal_context_desc chained{HAL_STRUCTURE_TYPE_CONTEXT_DESC, &unknown, 0, 0};
  for (const hal_context_desc* desc : {&isolated, &chained}) {
    hal_drv_context* context = nullptr;
    ASSERT_EQ(table_->context_create(0, desc, &context), HAL_SUCCESS)
        << "flags " << desc->flags << ": " << table_->last_error_message();
    table_->context_destroy(context);
  }
}

// Polling alone makes a stream progress (the query submits what was
// recorded), and SUCCESS means the work is done, device-to-host copies too.
TEST_F(VulkanDriverAbiTest, StreamQueryTellsPendingFromIdleWithoutBlocking) {
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS) << "a new stream is idle";
  LongSaxpy saxpy;
  SetUpLongSaxpy(saxpy);
  ASSERT_NE(saxpy.kernel, nullptr);
  constexpr int kDispatches = 20;
  for (int i = 0; i < kDispatches; ++i) {
    ASSERT_EQ(table_->stream_dispatch(stream_, saxpy.kernel, &saxpy.desc), HAL_SUCCESS);
  }
  std::vector<float> out(16, -1.0f);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, saxpy.y, 0, out.data(), 64), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(stream_), HAL_NOT_READY);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  hal_result result = HAL_NOT_READY;
  while (result == HAL_NOT_READY && std::chrono::steady_clock::now() < deadline) {
    result = table_->stream_query(stream_);
    if (result == HAL_NOT_READY) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(result, HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(out, std::vector<float>(16, static_cast<float>(kDispatches)));
}

TEST_F(VulkanDriverAbiTest, NativeHandlesNameTheVulkanObjects) {
  const hal_native_handle device = NativeHandle(HAL_OBJECT_CONTEXT, context_);
  EXPECT_STREQ(device.kind, "VkDevice");
  EXPECT_NE(device.value, 0u);
  const hal_native_handle queue = NativeHandle(HAL_OBJECT_STREAM, stream_);
  EXPECT_STREQ(queue.kind, "VkQueue");
  EXPECT_NE(queue.value, 0u);
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  const hal_native_handle shader = NativeHandle(HAL_OBJECT_MODULE, module);
  EXPECT_STREQ(shader.kind, "VkShaderModule");
  EXPECT_NE(shader.value, 0u);
  const hal_native_handle pipeline = NativeHandle(HAL_OBJECT_KERNEL, SaxpyKernel(module));
  EXPECT_STREQ(pipeline.kind, "VkPipeline");
  EXPECT_NE(pipeline.value, 0u);
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
  hal_native_handle none{};
  EXPECT_EQ(table_->native_handle(context_, HAL_OBJECT_EVENT, event, &none), HAL_ERROR_UNSUPPORTED);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("no native handle"));
  table_->event_destroy(event);
}

// Sub-allocated buffers share a block's VkBuffer; each buffer's handle is a
// VkBuffer of its own over exactly its range, the same on every call, and
// destroyed with the buffer.
TEST_F(VulkanDriverAbiTest, NativeBufferHandlesAreOneVkBufferPerBuffer) {
  hal_drv_buffer* first = Allocate(1024);
  hal_drv_buffer* second = Allocate(1024);
  const hal_native_handle a = NativeHandle(HAL_OBJECT_BUFFER, first);
  const hal_native_handle b = NativeHandle(HAL_OBJECT_BUFFER, second);
  EXPECT_STREQ(a.kind, "VkBuffer");
  EXPECT_NE(a.value, 0u);
  EXPECT_NE(a.value, b.value);
  EXPECT_EQ(NativeHandle(HAL_OBJECT_BUFFER, first).value, a.value);
}

TEST_F(VulkanDriverAbiTest, AllocationReportsTheGranularity) {
  const hal_device_properties props = Properties();
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 1, &buffer, &allocated), HAL_SUCCESS);
  buffers_.push_back(buffer);
  EXPECT_EQ(allocated, props.allocation_granularity);
}

TEST_F(VulkanDriverAbiTest, DeviceBuffersCannotBeMappedButStagingBuffersCan) {
  void* host = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, Allocate(64), &host), HAL_ERROR_UNSUPPORTED);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("staging"));
  ASSERT_EQ(table_->buffer_map(context_, Allocate(64, HAL_BUFFER_HOST_STAGING), &host),
            HAL_SUCCESS);
  EXPECT_NE(host, nullptr);
}

// Larger than the driver's staging ring, so the copy goes in several chunks.
TEST_F(VulkanDriverAbiTest, LargeCopiesRoundTripThroughStaging) {
  const uint64_t count = (40ull << 20) / sizeof(uint32_t);
  std::vector<uint32_t> in(count);
  std::iota(in.begin(), in.end(), 7u);
  std::vector<uint32_t> out(count, 0);
  hal_drv_buffer* first = Allocate(count * sizeof(uint32_t));
  hal_drv_buffer* second = Allocate(count * sizeof(uint32_t));
  const uint64_t bytes = count * sizeof(uint32_t);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, in.data(), first, 0, bytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, first, 0, second, 0, bytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, second, 0, out.data(), bytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(out, in);
}

TEST_F(VulkanDriverAbiTest, FillWritesThePatternInRange) {
  hal_drv_buffer* buffer = Allocate(64);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 64, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 16, 32, 0xdeadbeef), HAL_SUCCESS);
  std::vector<uint32_t> out(16, 1);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, out.data(), 64), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i], i >= 4 && i < 12 ? 0xdeadbeefu : 0u) << "word " << i;
  }
}

}  // namespace
}  // namespace hal::vulkan_abi_test
